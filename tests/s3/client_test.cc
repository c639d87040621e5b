#include "s3/client_impl.h"

#include <zlib.h>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/crc.h"
#include "tests/s3/client_fixture.h"

namespace s3us::s3 {
namespace {

using namespace client_test;  // NOLINT: the shared fixture of these tests

TEST_CASE("S3Client signs a GET exactly as botocore does") {
  const auto dir = std::filesystem::path(S3US_TEST_DATA_DIR) / "sigv4/s3-botocore-oracle/" /
                   "get-object-session-token-empty-sha256";
  std::ifstream in(dir / "header-authorization.txt");
  std::stringstream expected;
  expected << in.rdbuf();
  std::ifstream ctx_in(dir / "context.json");
  std::string ctx((std::istreambuf_iterator<char>(ctx_in)), {});
  size_t at = ctx.find("\"token\": \"") + 10;
  std::string sts_token = ctx.substr(at, ctx.find('"', at) - at);

  class OracleCredentials : public aws::CredentialProvider {
   public:
    explicit OracleCredentials(std::string token) : token_(std::move(token)) {}
    Result<aws::Credentials> Get(bool) override {
      aws::Credentials c;
      c.access_key_id = "ASIAIOSFODNN7EXAMPLE";
      c.secret_access_key = Secret(kSecret);
      c.session_token = Secret(token_);
      return c;
    }
    std::string Name() const override { return "oracle"; }
    std::string token_;
  } oracle(sts_token);

  FakeTransport transport;
  FakeClock clock(*aws::ParseIso8601("2015-08-30T12:36:00Z"));
  S3ClientOptions options;
  options.checksum_mode = false;
  options.default_region = "eu-west-1";
  S3ClientImpl client(transport, oracle, clock, options);
  transport.Push(MakeResponse(200, "x"));
  REQUIRE(client.GetObject(Fixture::Req()).ok());
  net::Request sent = transport.requests().at(0);
  CHECK(sent.url == "https://example-bucket.s3.eu-west-1.amazonaws.com/MyRole/user-script");
  CHECK(HeaderOf(sent, "authorization") == expected.str());
  CHECK(HeaderOf(sent, "x-amz-security-token") == sts_token);
  CHECK(HeaderOf(sent, "user-agent").starts_with("s3-user-script/"));
}

TEST_CASE("S3Client signs checksum mode and the token, never the user agent") {
  Fixture f;
  f.transport.Push(MakeResponse(200, "hello"));
  REQUIRE(f.Client().GetObject(Fixture::Req()).ok());
  net::Request sent = f.transport.requests().at(0);
  CHECK(sent.method == "GET");
  CHECK(HeaderOf(sent, "host") == "example-bucket.s3.us-east-1.amazonaws.com");
  CHECK(HeaderOf(sent, "x-amz-checksum-mode") == "ENABLED");
  CHECK(HeaderOf(sent, "x-amz-content-sha256") == aws::kEmptySha256);
  CHECK(HeaderOf(sent, "x-amz-date") == "20150830T123600Z");
  CHECK(HeaderOf(sent, "x-amz-security-token") == kToken1);
  CHECK(AuthPart(sent, "SignedHeaders") ==
        "host;x-amz-checksum-mode;x-amz-content-sha256;x-amz-date;x-amz-security-token");
  CHECK(AuthPart(sent, "Credential") == "ASIAIOSFODNN7EXAMPLE/20150830/us-east-1/s3/aws4_request");
}

// x-amz-checksum-crc64nvme as S3 sends it: the big-endian CRC, base64.
std::string Crc64NvmeBase64(const std::string& body) {
  uint64_t crc = Crc64Nvme(0, body.data(), body.size());
  uint8_t bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<uint8_t>(crc >> (56 - 8 * i));
  return Base64Encode(bytes, 8);
}

TEST_CASE("S3Client returns the body with everything it verified") {
  Fixture f;
  const std::string body = "#!/bin/sh\necho hello\n";
  uLong crc = crc32_z(0, reinterpret_cast<const Bytef*>(body.data()), body.size());
  uint8_t crc_bytes[4] = {uint8_t(crc >> 24), uint8_t(crc >> 16), uint8_t(crc >> 8), uint8_t(crc)};
  f.transport.Push(MakeResponse(200, body,
                                {{"content-length", std::to_string(body.size())},
                                 {"etag", "\"" + Hex(Md5(body)) + "\""},
                                 {"x-amz-checksum-sha256", Base64Sha256(body)},
                                 {"x-amz-checksum-crc32", Base64Encode(crc_bytes, 4)},
                                 {"x-amz-checksum-crc64nvme", Crc64NvmeBase64(body)},
                                 {"x-amz-version-id", "v1"},
                                 {"content-type", "text/x-shellscript"},
                                 {"last-modified", "Sun, 30 Aug 2015 12:00:00 GMT"}}));
  auto r = f.Client().GetObject(Fixture::Req());
  REQUIRE(r.ok());
  CHECK(r->body == body);
  CHECK(r->size == body.size());
  CHECK(r->sha256 == Sha256Hex(body));
  CHECK(r->etag == Hex(Md5(body)));
  CHECK(r->version_id == "v1");
  CHECK(r->region == "us-east-1");
  CHECK(r->content_type == "text/x-shellscript");
  CHECK(r->last_modified == "Sun, 30 Aug 2015 12:00:00 GMT");
  // The ETag's MD5 is the evidence of last resort: with S3's checksums it is not computed.
  CHECK(r->verified_by ==
        "content-length, x-amz-checksum-sha256, x-amz-checksum-crc32, x-amz-checksum-crc64nvme");
  CHECK(r->checksums.size() == 3);
  CHECK(r->checksums[2] == std::make_pair(std::string("crc64nvme"), Crc64NvmeBase64(body)));
}

TEST_CASE("S3Client never hands on a secret a 200 answer echoes in its headers") {
  // The version id, content type, ETag and the rest end up in plans and report files.
  Fixture f;
  const std::string body = "#!/bin/sh\n";
  f.transport.Push(MakeResponse(200, body,
                                {{"content-length", std::to_string(body.size())},
                                 {"x-amz-checksum-sha256", Base64Sha256(body)},
                                 {"x-amz-version-id", kToken1},
                                 {"etag", std::string("\"") + kToken1 + "\""},
                                 {"content-type", std::string("text/") + kToken1},
                                 {"last-modified", kToken1},
                                 {"x-amz-server-side-encryption", kSecret}}));
  auto r = f.Client().GetObject(Fixture::Req());
  REQUIRE(r.ok());
  for (const std::string& value :
       {r->version_id, r->etag, r->content_type, r->last_modified, r->server_side_encryption}) {
    CAPTURE(value);
    CHECK(value.find("<redacted>") != std::string::npos);
    CHECK(value.find("AQoDYXdzEPT") == std::string::npos);
    CHECK(value.find("EXAMPLEKEY") == std::string::npos);
  }
}

TEST_CASE("S3Client streams into the caller's sink") {
  Fixture f;
  f.transport.Push(MakeResponse(200, "streamed"));
  RecordingSink sink;
  GetObjectRequest req = Fixture::Req();
  req.sink = &sink;
  auto r = f.Client().GetObject(req);
  REQUIRE(r.ok());
  CHECK(sink.data == "streamed");
  CHECK(r->body.empty());
  CHECK(r->size == 8);
}

TEST_CASE("S3Client rejects a body whose checksum or ETag does not match") {
  struct Case {
    const char* name;
    net::Headers headers;
    bool integrity_error;
    ErrorCode code = ErrorCode::kDigestMismatch;
  } cases[] = {
      {"sha256", {{"x-amz-checksum-sha256", Base64Sha256("other")}}, true},
      {"crc32", {{"x-amz-checksum-crc32", "AAAAAA=="}}, true},
      {"crc32c", {{"x-amz-checksum-crc32c", "AAAAAA=="}}, true},
      {"crc64nvme", {{"x-amz-checksum-crc64nvme", Crc64NvmeBase64("other")}}, true},
      {"sha1", {{"x-amz-checksum-sha1", "AAAAAAAAAAAAAAAAAAAAAAAAAAA="}}, true},
      {"an algorithm we do not know", {{"x-amz-checksum-crc128", "AAAAAA=="}}, false},
      {"etag", {{"etag", "\"" + Hex(Md5("other")) + "\""}}, true},
      {"content-length", {{"content-length", "99"}}, true, ErrorCode::kLengthMismatch},
      {"etag of a KMS object",
       {{"etag", "\"" + Hex(Md5("other")) + "\""}, {"x-amz-server-side-encryption", "aws:kms"}},
       false},
      {"multipart etag", {{"etag", "\"" + Hex(Md5("other")) + "-2\""}}, false},
      {"composite checksum", {{"x-amz-checksum-sha256", Base64Sha256("other") + "-3"}}, false},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.name) {
      Fixture f;
      f.transport.Push(MakeResponse(200, "payload", c.headers));
      RecordingSink sink;
      GetObjectRequest req = Fixture::Req();
      req.sink = &sink;
      auto r = f.Client().GetObject(req);
      if (c.integrity_error) {
        REQUIRE(!r.ok());
        CHECK(r.error().code() == c.code);
        CHECK(sink.data.empty());
        CHECK(sink.resets >= 2);
      } else {
        REQUIRE(r.ok());
        CHECK(r->verified_by.empty());
        CHECK(sink.data == "payload");
      }
    }
  }
}

TEST_CASE("S3Client words a mismatch once: what was declared, what the body has") {
  Fixture f;
  f.transport.Push(MakeResponse(200, "payload", {{"x-amz-checksum-crc32", "AAAAAA=="}}));
  auto r = f.Client().GetObject(Fixture::Req());
  REQUIRE(!r.ok());
  uLong crc = crc32_z(0, reinterpret_cast<const Bytef*>("payload"), 7);
  uint8_t crc_bytes[4] = {uint8_t(crc >> 24), uint8_t(crc >> 16), uint8_t(crc >> 8), uint8_t(crc)};
  CHECK(r.error().message() ==
        "x-amz-checksum-crc32 mismatch: expected AAAAAA==, got " + Base64Encode(crc_bytes, 4));
}

TEST_CASE("S3Client checks the ETag's MD5 only when nothing else vouches for the body") {
  const std::string wrong_etag = "\"" + Hex(Md5("other")) + "\"";
  SECTION("a checksum from S3") {
    Fixture f;
    f.transport.Push(
        MakeResponse(200, "payload",
                     {{"etag", wrong_etag}, {"x-amz-checksum-sha256", Base64Sha256("payload")}}));
    auto r = f.Client().GetObject(Fixture::Req());
    REQUIRE(r.ok());
    CHECK(r->verified_by == "x-amz-checksum-sha256");
  }
  SECTION("the caller's pin") {
    Fixture f;
    f.transport.Push(MakeResponse(200, "payload", {{"etag", wrong_etag}}));
    GetObjectRequest req = Fixture::Req();
    req.expectations.push_back({.digest = net::Digest::kSha256,
                                .value = Sha256Hex("payload"),
                                .label = "sha256",
                                .evidence = "sha256 pin"});
    auto r = f.Client().GetObject(req);
    REQUIRE(r.ok());
    CHECK(r->verified_by == "sha256 pin");
  }
}

TEST_CASE("S3Client records the SHA-256 only when asked or needed") {
  Fixture f;
  f.transport.Push(MakeResponse(200, "payload", {{"content-length", "7"}}));
  GetObjectRequest req = Fixture::Req();
  req.record_sha256 = false;
  auto r = f.Client().GetObject(req);
  REQUIRE(r.ok());
  CHECK(r->sha256.empty());
  CHECK(r->verified_by == "content-length");
}

TEST_CASE("S3Client enforces max_bytes while the body streams") {
  Fixture f;
  f.transport.Push(MakeResponse(200, std::string(2048, 'x')));
  GetObjectRequest req = Fixture::Req();
  req.max_bytes = 1024;
  auto r = f.Client().GetObject(req);
  REQUIRE(!r.ok());
  CHECK(r.error().code() == ErrorCode::kLimitExceeded);
}

}  // namespace
}  // namespace s3us::s3

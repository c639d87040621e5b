#include "aws/s3_client_impl.h"

#include <zlib.h>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "aws/aws_time.h"
#include "core/crypto.h"
#include "core/strings.h"
#include "fakes/fake_clock.h"
#include "fakes/fake_transport.h"
#include "fakes/recording_sink.h"

namespace s3us::aws {
namespace {

using testing::FakeClock;
using testing::FakeTransport;
using testing::MakeResponse;

constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr char kToken1[] = "session-token-one-AQoDYXdzEPT-0123456789abcdef";
constexpr char kToken2[] = "session-token-two-AQoDYXdzEPT-fedcba9876543210";

// Hands out kToken1 credentials, kToken2 after a forced refresh.
class TestCredentials : public CredentialProvider {
 public:
  Result<Credentials> Get(bool force_refresh) override {
    std::lock_guard<std::mutex> l(mu_);
    ++calls;
    if (force_refresh) ++forced;
    if (fail) return Error(ErrorCode::kNoCredentials, "no credentials anywhere");
    Credentials c;
    c.access_key_id = "ASIAIOSFODNN7EXAMPLE";
    c.secret_access_key = Secret(kSecret);
    c.session_token = Secret(forced > 0 ? kToken2 : kToken1);
    return c;
  }
  std::string Name() const override { return "test"; }
  std::mutex mu_;
  int calls = 0;
  int forced = 0;
  bool fail = false;
};

using testing::RecordingSink;

std::string HeaderOf(const net::Request& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (IEquals(k, name)) return v;
  }
  return {};
}

std::string AuthPart(const net::Request& r, const std::string& part) {
  std::string auth = HeaderOf(r, "authorization");
  size_t at = auth.find(part + "=");
  if (at == std::string::npos) return {};
  at += part.size() + 1;
  return auth.substr(at, auth.find_first_of(", ", at) - at);
}

std::string ErrorXml(const std::string& code, const std::string& extra = "") {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code +
         "</Code><Message>m</Message>" + extra + "<RequestId>REQ123</RequestId></Error>";
}

std::string Base64Sha256(std::string_view data) {
  auto d = Sha256(data);
  return Base64Encode(d.data(), d.size());
}

struct Fixture {
  FakeTransport transport;
  FakeClock clock{*ParseIso8601("2015-08-30T12:36:00Z")};
  TestCredentials creds;
  S3ClientOptions options;
  std::unique_ptr<S3ClientImpl> client;

  S3ClientImpl& Client() {
    if (!client) client = std::make_unique<S3ClientImpl>(transport, creds, clock, options);
    return *client;
  }
  static GetObjectRequest Req(std::string bucket = "example-bucket",
                              std::string key = "MyRole/user-script") {
    GetObjectRequest r;
    r.location.bucket = std::move(bucket);
    r.location.key = std::move(key);
    return r;
  }
};

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

  class OracleCredentials : public CredentialProvider {
   public:
    explicit OracleCredentials(std::string token) : token_(std::move(token)) {}
    Result<Credentials> Get(bool) override {
      Credentials c;
      c.access_key_id = "ASIAIOSFODNN7EXAMPLE";
      c.secret_access_key = Secret(kSecret);
      c.session_token = Secret(token_);
      return c;
    }
    std::string Name() const override { return "oracle"; }
    std::string token_;
  } oracle(sts_token);

  FakeTransport transport;
  FakeClock clock(*ParseIso8601("2015-08-30T12:36:00Z"));
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
  CHECK(HeaderOf(sent, "x-amz-content-sha256") == kEmptySha256);
  CHECK(HeaderOf(sent, "x-amz-date") == "20150830T123600Z");
  CHECK(HeaderOf(sent, "x-amz-security-token") == kToken1);
  CHECK(AuthPart(sent, "SignedHeaders") ==
        "host;x-amz-checksum-mode;x-amz-content-sha256;x-amz-date;x-amz-security-token");
  CHECK(AuthPart(sent, "Credential") == "ASIAIOSFODNN7EXAMPLE/20150830/us-east-1/s3/aws4_request");
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
                                 {"x-amz-checksum-crc32c", "AAAAAA=="},
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
  CHECK(r->verified_by == "content-length, x-amz-checksum-sha256, x-amz-checksum-crc32, etag-md5");
  CHECK(r->checksums.size() == 3);
  CHECK(r->checksums[2] == std::make_pair(std::string("crc32c"), std::string("AAAAAA==")));
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
  } cases[] = {
      {"sha256", {{"x-amz-checksum-sha256", Base64Sha256("other")}}, true},
      {"crc32", {{"x-amz-checksum-crc32", "AAAAAA=="}}, true},
      {"etag", {{"etag", "\"" + Hex(Md5("other")) + "\""}}, true},
      {"content-length", {{"content-length", "99"}}, true},
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
        CHECK(r.error().code() == ErrorCode::kIntegrity);
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

TEST_CASE("S3Client enforces max_bytes while the body streams") {
  Fixture f;
  f.transport.Push(MakeResponse(200, std::string(2048, 'x')));
  GetObjectRequest req = Fixture::Req();
  req.max_bytes = 1024;
  auto r = f.Client().GetObject(req);
  REQUIRE(!r.ok());
  CHECK(r.error().code() == ErrorCode::kLimitExceeded);
}

TEST_CASE("S3Client resigns once for the bucket's region and remembers it") {
  struct Case {
    const char* name;
    net::Response answer;
  } cases[] = {
      {"301 with x-amz-bucket-region",
       MakeResponse(301, ErrorXml("PermanentRedirect"),
                    {{"x-amz-bucket-region", "eu-west-1"}, {"location", "https://evil/"}})},
      {"400 with <Region>",
       MakeResponse(400, ErrorXml("AuthorizationHeaderMalformed", "<Region>eu-west-1</Region>"))},
      {"301 with <Endpoint>",
       MakeResponse(301,
                    ErrorXml("PermanentRedirect",
                             "<Endpoint>example-bucket.s3.eu-west-1.amazonaws.com</Endpoint>"))},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.name) {
      Fixture f;
      f.transport.Push(c.answer);
      f.transport.Push(MakeResponse(200, "ok"));
      auto r = f.Client().GetObject(Fixture::Req());
      REQUIRE(r.ok());
      CHECK(r->region == "eu-west-1");
      auto sent = f.transport.requests();
      REQUIRE(sent.size() == 2);
      CHECK(sent[1].url == "https://example-bucket.s3.eu-west-1.amazonaws.com/MyRole/user-script");
      CHECK(AuthPart(sent[1], "Credential").find("/eu-west-1/s3/") != std::string::npos);
      CHECK(f.Client().CachedRegion("example-bucket") == "eu-west-1");

      f.transport.Push(MakeResponse(200, "ok"));
      REQUIRE(f.Client().GetObject(Fixture::Req("example-bucket", "other")).ok());
      CHECK(f.transport.request_count() == 3);
      CHECK(f.transport.requests()[2].url.starts_with("https://example-bucket.s3.eu-west-1."));
    }
  }
}

TEST_CASE("S3Client repairs the region only once and never follows Location") {
  Fixture f;
  f.transport.Push(
      MakeResponse(301, ErrorXml("PermanentRedirect"), {{"x-amz-bucket-region", "eu-west-1"}}));
  f.transport.Push(
      MakeResponse(301, ErrorXml("PermanentRedirect"), {{"x-amz-bucket-region", "eu-west-2"}}));
  auto r = f.Client().GetObject(Fixture::Req());
  REQUIRE(!r.ok());
  CHECK(r.error().code() == ErrorCode::kWrongRegion);
  CHECK(f.transport.request_count() == 2);

  Fixture g;
  g.transport.Push(MakeResponse(307, "", {{"location", "https://elsewhere.example/x"}}));
  auto bare = g.Client().GetObject(Fixture::Req());
  REQUIRE(!bare.ok());
  CHECK(bare.error().code() == ErrorCode::kWrongRegion);
  CHECK(g.transport.request_count() == 1);
}

TEST_CASE("S3Client corrects a skewed clock once and keeps the offset") {
  Fixture f;
  f.transport.Push(MakeResponse(
      403, ErrorXml("RequestTimeTooSkewed", "<ServerTime>2015-08-30T13:36:00Z</ServerTime>")));
  f.transport.Push(MakeResponse(200, "ok"));
  REQUIRE(f.Client().GetObject(Fixture::Req()).ok());
  auto sent = f.transport.requests();
  REQUIRE(sent.size() == 2);
  CHECK(HeaderOf(sent[0], "x-amz-date") == "20150830T123600Z");
  CHECK(HeaderOf(sent[1], "x-amz-date") == "20150830T133600Z");
  CHECK(f.Client().clock_offset() == std::chrono::hours(1));

  f.clock.Advance(std::chrono::minutes(5));
  f.transport.Push(MakeResponse(200, "ok"));
  REQUIRE(f.Client().GetObject(Fixture::Req()).ok());
  CHECK(HeaderOf(f.transport.requests()[2], "x-amz-date") == "20150830T134100Z");
}

TEST_CASE("S3Client treats a 403 with a far-off Date as clock skew, a near one as denial") {
  Fixture f;
  f.transport.Push(MakeResponse(403, ErrorXml("SignatureDoesNotMatch"),
                                {{"date", "Sun, 30 Aug 2015 12:26:00 GMT"}}));
  f.transport.Push(MakeResponse(200, "ok"));
  REQUIRE(f.Client().GetObject(Fixture::Req()).ok());
  CHECK(HeaderOf(f.transport.requests()[1], "x-amz-date") == "20150830T122600Z");

  Fixture g;
  g.transport.Push(
      MakeResponse(403, ErrorXml("AccessDenied"), {{"date", "Sun, 30 Aug 2015 12:37:00 GMT"}}));
  auto r = g.Client().GetObject(Fixture::Req());
  REQUIRE(!r.ok());
  CHECK(r.error().code() == ErrorCode::kAccessDenied);
  CHECK(g.transport.request_count() == 1);
  CHECK(g.Client().clock_offset() == Clock::Duration::zero());
}

TEST_CASE("S3Client refreshes expired credentials once") {
  for (const char* code : {"ExpiredToken", "InvalidToken", "TokenRefreshRequired"}) {
    DYNAMIC_SECTION(code) {
      Fixture f;
      f.transport.Push(MakeResponse(400, ErrorXml(code)));
      f.transport.Push(MakeResponse(200, "ok"));
      REQUIRE(f.Client().GetObject(Fixture::Req()).ok());
      CHECK(f.creds.forced == 1);
      CHECK(HeaderOf(f.transport.requests()[1], "x-amz-security-token") == kToken2);
    }
  }
  Fixture g;
  g.transport.Push(MakeResponse(400, ErrorXml("ExpiredToken")));
  g.transport.Push(MakeResponse(400, ErrorXml("ExpiredToken")));
  auto r = g.Client().GetObject(Fixture::Req());
  REQUIRE(!r.ok());
  CHECK(r.error().code() == ErrorCode::kExpiredCredentials);
  CHECK(g.creds.forced == 1);
}

TEST_CASE("S3Client maps S3 errors with code, status and request id") {
  struct Case {
    int status;
    const char* code;
    ErrorCode expected;
  } cases[] = {
      {404, "NoSuchKey", ErrorCode::kNotFound},
      {404, "NoSuchBucket", ErrorCode::kNotFound},
      {404, "NoSuchVersion", ErrorCode::kNotFound},
      {403, "AccessDenied", ErrorCode::kAccessDenied},
      {403, "SignatureDoesNotMatch", ErrorCode::kAccessDenied},
      {403, "InvalidAccessKeyId", ErrorCode::kAccessDenied},
      {503, "SlowDown", ErrorCode::kThrottled},
      {500, "InternalError", ErrorCode::kHttp},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.code) {
      Fixture f;
      f.transport.Push(MakeResponse(c.status, ErrorXml(c.code)));
      auto r = f.Client().GetObject(Fixture::Req());
      REQUIRE(!r.ok());
      CHECK(r.error().code() == c.expected);
      CHECK(r.error().aws_code() == c.code);
      CHECK(r.error().http_status() == c.status);
      CHECK(r.error().request_id() == "REQ123");
      CHECK(f.transport.request_count() == 1);
    }
  }
}

TEST_CASE("S3Client errors never contain the secret, the token or the signature") {
  Fixture f;
  f.transport.SetHandler([](const net::Request& req) -> Result<net::Response> {
    // An S3 that echoes everything it got, as SignatureDoesNotMatch does.
    std::string echo;
    for (const auto& [k, v] : req.headers) echo += k + ":" + v + "\n";
    return MakeResponse(
        403, ErrorXml("SignatureDoesNotMatch",
                      "<StringToSign>" + echo + "</StringToSign><CanonicalRequest>" + echo +
                          "</CanonicalRequest><SignatureProvided>" + AuthPart(req, "Signature") +
                          "</SignatureProvided>"));
  });
  auto r = f.Client().GetObject(Fixture::Req());
  REQUIRE(!r.ok());
  std::string text = r.error().ToString();
  std::string signature = AuthPart(f.transport.requests().at(0), "Signature");
  REQUIRE(signature.size() == 64);
  CHECK(text.find(kSecret) == std::string::npos);
  CHECK(text.find(kToken1) == std::string::npos);
  CHECK(text.find(signature) == std::string::npos);
  CHECK(RedactSecrets("sig " + signature) == "sig <redacted>");
}

TEST_CASE("S3Client talks path-style to an endpoint override and encodes keys and versions") {
  Fixture f;
  f.options.endpoint_override = "http://127.0.0.1:9000";
  f.transport.Push(MakeResponse(200, "ok", {{"x-amz-version-id", "a+b/c"}}));
  GetObjectRequest req = Fixture::Req("my.bucket", "dir/my file+1.sh");
  req.location.version_id = "a+b/c";
  auto r = f.Client().GetObject(req);
  REQUIRE(r.ok());
  CHECK(r->version_id == "a+b/c");
  net::Request sent = f.transport.requests().at(0);
  CHECK(sent.url == "http://127.0.0.1:9000/my.bucket/dir/my%20file%2B1.sh?versionId=a%2Bb%2Fc");
  CHECK(HeaderOf(sent, "host") == "127.0.0.1:9000");
}

TEST_CASE("S3Client passes credential and input errors through") {
  Fixture f;
  f.creds.fail = true;
  auto r = f.Client().GetObject(Fixture::Req());
  REQUIRE(!r.ok());
  CHECK(r.error().code() == ErrorCode::kNoCredentials);
  CHECK(f.Client().GetObject(Fixture::Req("b", "")).error().code() == ErrorCode::kInvalidInput);
  CHECK(f.transport.request_count() == 0);
}

TEST_CASE("S3Client serves concurrent requests and shares the learned region") {
  Fixture f;
  f.transport.SetHandler([](const net::Request& req) -> Result<net::Response> {
    if (req.url.find(".eu-west-1.") == std::string::npos) {
      return MakeResponse(301, ErrorXml("PermanentRedirect"),
                          {{"x-amz-bucket-region", "eu-west-1"}});
    }
    return MakeResponse(200, req.url);
  });
  S3ClientImpl& client = f.Client();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      auto r = client.GetObject(Fixture::Req("example-bucket", "k" + std::to_string(i)));
      if (r.ok() && r->body.ends_with("/k" + std::to_string(i))) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok == 8);
  CHECK(client.CachedRegion("example-bucket") == "eu-west-1");
}

}  // namespace
}  // namespace s3us::aws

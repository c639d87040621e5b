#include "s3/client_impl.h"

#include <catch2/catch.hpp>
#include <thread>

#include "tests/s3/client_fixture.h"

namespace s3us::s3 {
namespace {

using namespace client_test;  // NOLINT: the shared fixture of these tests

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

TEST_CASE("S3Client signs a bucket name from before 2018 for us-east-1, path-style") {
  // Only us-east-1 ever allowed upper case and '_': no redirect from another region first.
  Fixture f;
  f.options.default_region = "eu-west-1";
  f.transport.Push(MakeResponse(200, "ok"));
  auto r = f.Client().GetObject(Fixture::Req("My_Boot_Bucket", "web-role/user-script"));
  REQUIRE(r.ok());
  CHECK(r->region == "us-east-1");
  net::Request sent = f.transport.requests().at(0);
  CHECK(sent.url == "https://s3.us-east-1.amazonaws.com/My_Boot_Bucket/web-role/user-script");
  CHECK(AuthPart(sent, "Credential").find("/us-east-1/s3/") != std::string::npos);

  SECTION("a region the URL names wins") {
    GetObjectRequest req = Fixture::Req("boot_bucket", "k");
    req.location.region = "us-west-2";
    f.transport.Push(MakeResponse(200, "ok"));
    REQUIRE(f.Client().GetObject(req).ok());
    CHECK(f.transport.requests().at(1).url == "https://s3.us-west-2.amazonaws.com/boot_bucket/k");
  }
  SECTION("an endpoint override keeps the default region") {
    Fixture o;
    o.options.default_region = "eu-west-1";
    o.options.endpoint_override = "http://127.0.0.1:9000";
    o.transport.Push(MakeResponse(200, "ok"));
    REQUIRE(o.Client().GetObject(Fixture::Req("Legacy_Bucket", "k")).ok());
    net::Request to_store = o.transport.requests().at(0);
    CHECK(to_store.url == "http://127.0.0.1:9000/Legacy_Bucket/k");
    CHECK(AuthPart(to_store, "Credential").find("/eu-west-1/s3/") != std::string::npos);
  }
  SECTION("another partition keeps its region") {
    Fixture cn;
    cn.options.default_region = "cn-north-1";
    cn.transport.Push(MakeResponse(200, "ok"));
    REQUIRE(cn.Client().GetObject(Fixture::Req("Legacy_Bucket", "k")).ok());
    CHECK(cn.transport.requests().at(0).url ==
          "https://s3.cn-north-1.amazonaws.com.cn/Legacy_Bucket/k");
  }
  SECTION("today's names keep the default region") {
    f.transport.Push(MakeResponse(200, "ok"));
    REQUIRE(f.Client().GetObject(Fixture::Req("boot-bucket", "k")).ok());
    CHECK(f.transport.requests().at(1).url == "https://boot-bucket.s3.eu-west-1.amazonaws.com/k");
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
  CHECK(bare.error().code() == ErrorCode::kHttp);
  CHECK(g.transport.request_count() == 1);

  // A 307 naming the region signed for is no wrong region (it was, before: "the bucket is
  // in another region (us-east-1)").
  Fixture h;
  h.options.default_region = "us-east-1";
  h.transport.Push(
      MakeResponse(307, ErrorXml("TemporaryRedirect"), {{"x-amz-bucket-region", "us-east-1"}}));
  auto same = h.Client().GetObject(Fixture::Req());
  REQUIRE(!same.ok());
  CHECK(same.error().ToString().ends_with(
      "S3 redirected the request to another endpoint for now; redirects are not followed"));
  CHECK(h.transport.request_count() == 1);
}

TEST_CASE("S3Client never puts a region that is no region name into a host name") {
  // The region names the host of the signed retry: a server that answers with a host of
  // its own choosing must not get the request, the session token in it, sent there.
  for (const char* region : {"evil.example/x?", "evil.example#", "eu-west-1.evil.example",
                             "EU-WEST-1", "eu-west-\r\n1", ""}) {
    DYNAMIC_SECTION(region) {
      Fixture f;
      f.transport.Push(MakeResponse(
          301, ErrorXml("PermanentRedirect", "<Region>" + std::string(region) + "</Region>"),
          {{"x-amz-bucket-region", region}}));
      auto r = f.Client().GetObject(Fixture::Req());
      REQUIRE(!r.ok());
      CHECK(r.error().code() == ErrorCode::kWrongRegion);
      CHECK(r.error().ToString().find("evil") == std::string::npos);
      CHECK(f.transport.request_count() == 1);
      CHECK(f.Client().CachedRegion("example-bucket").empty());
    }
  }
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
  CHECK(RedactSecrets("key ASIAIOSFODNN7EXAMPLE") == "key <redacted>");
}

TEST_CASE("S3Client errors never contain the access key id an unknown error echoes") {
  Fixture f;
  f.transport.SetHandler([](const net::Request& req) -> Result<net::Response> {
    return MakeResponse(400, "<Error><Code>SomethingNew</Code><Message>you sent " +
                                 HeaderOf(req, "authorization") + "</Message></Error>");
  });
  auto r = f.Client().GetObject(Fixture::Req());
  REQUIRE(!r.ok());
  CHECK(r.error().ToString().find("you sent AWS4-HMAC-SHA256 Credential=<redacted>/") !=
        std::string::npos);
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
}  // namespace s3us::s3

#include "fetch/routing_fetcher.h"

#include <catch2/catch.hpp>

#include "core/crypto.h"
#include "fetch/verify.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/fake_transport.h"
#include "tests/fakes/recording_sink.h"
#include "tests/fetch/fake_s3_client.h"
#include "tests/fetch/routing_rig.h"

namespace s3us::fetch {
namespace {

using rig::Contains;
using rig::Rig;
using testing::FakeClock;
using testing::FakeS3Client;
using testing::FakeS3Object;
using testing::FakeTransport;
using testing::MakeResponse;
using testing::RecordingSink;

TEST_CASE("RoutingFetcher sends every S3 spelling to GetObject with bucket, key and region") {
  struct Case {
    const char* url;
    const char* bucket;
    const char* key;
    const char* region;  // hint from the URL
  };
  const Case cases[] = {
      {"s3://boot-bucket/web/user-script", "boot-bucket", "web/user-script", ""},
      {"arn:aws:s3:::boot-bucket/web/user-script", "boot-bucket", "web/user-script", ""},
      {"https://boot-bucket.s3.eu-west-1.amazonaws.com/web/user-script", "boot-bucket",
       "web/user-script", "eu-west-1"},
      {"https://s3.eu-west-1.amazonaws.com/boot-bucket/web/user-script", "boot-bucket",
       "web/user-script", "eu-west-1"},
      {"https://boot-bucket.s3.amazonaws.com/web%2Fuser-script", "boot-bucket", "web/user-script",
       ""},
  };
  for (const Case& c : cases) {
    INFO(c.url);
    Rig rig;
    rig.s3.Put("boot-bucket", "web/user-script", FakeS3Object("#!/bin/sh\necho hi\n"));
    Result<FetchedObject> got = rig.fetcher.Fetch(c.url, {});
    REQUIRE(got.ok());
    CHECK(got->body == "#!/bin/sh\necho hi\n");
    REQUIRE(rig.s3.requests().size() == 1);
    CHECK(rig.s3.requests()[0].bucket == c.bucket);
    CHECK(rig.s3.requests()[0].key == c.key);
    CHECK(rig.s3.requests()[0].region == c.region);
    CHECK(rig.http.request_count() == 0);
    CHECK(got->source.bucket == "boot-bucket");
    CHECK(got->source.key == "web/user-script");
    CHECK(got->source.region == "us-east-1");
    CHECK(got->source.etag == "etag");
    CHECK(got->source.size == 18);
    CHECK(got->source.sha256 == Sha256Hex("#!/bin/sh\necho hi\n"));
    CHECK(got->source.verified_by == "content-length, x-amz-checksum-sha256");
    CHECK(got->source.url == c.url);
  }
}

TEST_CASE("RoutingFetcher sends plain and pre-signed https URLs through the transport unsigned") {
  Rig rig;
  rig.http.SetHandler([](const net::Request& r) -> Result<net::Response> {
    return MakeResponse(
        200, "body of " + r.url,
        {{"content-length", std::to_string(8 + r.url.size())}, {"etag", "\"abc\""}});
  });
  const std::string presigned =
      "https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIDEXAMPLE&X-Amz-Signature=deadbeef";
  for (const std::string& url : {std::string("https://example.com/boot.sh"),
                                 std::string("http://10.1.2.3/boot.sh"), presigned}) {
    INFO(url);
    Result<FetchedObject> got = rig.fetcher.Fetch(url, {});
    REQUIRE(got.ok());
    CHECK(got->body == "body of " + url);
    CHECK(got->source.bucket.empty());
    CHECK(got->source.etag == "abc");
    CHECK(got->source.verified_by == "content-length");
  }
  CHECK(rig.s3.requests().empty());
  std::vector<net::Request> sent = rig.http.requests();
  REQUIRE(sent.size() == 3);
  CHECK(sent[2].url == presigned);  // the signature travels, it is the authorisation
  for (const net::Request& r : sent) {
    CHECK(r.method == "GET");
    CHECK(r.headers.empty());
  }
}

TEST_CASE("RoutingFetcher keeps query strings out of Source.url and errors") {
  Rig rig;
  const std::string presigned =
      "https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIDSECRET&X-Amz-Signature=s1gnature";
  rig.http.Push(MakeResponse(200, "ok", {{"content-length", "2"}}));
  Result<FetchedObject> got = rig.fetcher.Fetch(presigned, {});
  REQUIRE(got.ok());
  CHECK(got->source.url == "https://b.s3.amazonaws.com/k");

  rig.http.Push(MakeResponse(403, "<Error><Code>AccessDenied</Code></Error>"));
  Result<FetchedObject> denied = rig.fetcher.Fetch(presigned, {});
  REQUIRE_FALSE(denied.ok());
  CHECK(denied.error().code() == ErrorCode::kAccessDenied);
  CHECK(denied.error().http_status() == 403);
  CHECK(denied.error().ToString() == "fetching https://b.s3.amazonaws.com/k: HTTP 403");
  CHECK_FALSE(Contains(denied.error().ToString(), "s1gnature"));
  CHECK_FALSE(Contains(denied.error().ToString(), "AKIDSECRET"));
}

TEST_CASE("RoutingFetcher keeps the version and lets the options override it") {
  Rig rig;
  rig.s3.Put("bbb", "k", FakeS3Object("x").WithVersion("v1"));
  Result<FetchedObject> from_url = rig.fetcher.Fetch("s3://bbb/k?versionId=v1", {});
  REQUIRE(from_url.ok());
  CHECK(rig.s3.requests().back().version_id == "v1");
  CHECK(from_url->source.version_id == "v1");

  rig.s3.Put("bbb", "k", FakeS3Object("x").WithVersion("v7"));
  FetchOptions options;
  options.version_id = "v7";
  Result<FetchedObject> got = rig.fetcher.Fetch("s3://bbb/k?versionId=v1", options);
  REQUIRE(got.ok());
  CHECK(rig.s3.requests().back().version_id == "v7");
  CHECK(got->source.version_id == "v7");
  // The URL as given (S3 URLs are shown whole); the version fetched is the source's.
  CHECK(got->source.url == "s3://bbb/k?versionId=v1");
}

TEST_CASE("RoutingFetcher refuses schemes it does not fetch, without any request") {
  Rig rig;
  for (const char* url : {"file:///etc/passwd", "ftp://example.com/x", "gs://b/k"}) {
    INFO(url);
    Result<FetchedObject> got = rig.fetcher.Fetch(url, {});
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().code() == ErrorCode::kUnsupported);
    CHECK(got.error().ToString().rfind(std::string("fetching ") + url + ": unsupported URL scheme",
                                       0) == 0);
  }
  CHECK(rig.http.request_count() == 0);
  CHECK(rig.s3.requests().empty());
}

TEST_CASE("RoutingFetcher needs a key: a bucket alone is the expander's to complete") {
  Rig rig;
  Result<FetchedObject> got = rig.fetcher.Fetch("s3://boot-bucket/", {});
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().code() == ErrorCode::kInvalidInput);
  CHECK(got.error().ToString() ==
        "fetching s3://boot-bucket/: names bucket \"boot-bucket\" but no object key");
}

TEST_CASE("RoutingFetcher maps HTTP statuses to error codes") {
  struct Case {
    int status;
    ErrorCode code;
  };
  for (const Case c : {Case{404, ErrorCode::kNotFound}, Case{410, ErrorCode::kNotFound},
                       Case{401, ErrorCode::kAccessDenied}, Case{403, ErrorCode::kAccessDenied},
                       Case{429, ErrorCode::kThrottled}, Case{500, ErrorCode::kHttp}}) {
    INFO(c.status);
    Rig rig;
    rig.http.Push(MakeResponse(c.status, "nope"));
    Result<FetchedObject> got = rig.fetcher.Fetch("https://example.com/k", {});
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().code() == c.code);
    CHECK(got.error().http_status() == c.status);
  }
}

TEST_CASE("RoutingFetcher passes S3 client errors through with fetch context") {
  Rig rig;
  Result<FetchedObject> got = rig.fetcher.Fetch("s3://b-missing/k", {});
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().code() == ErrorCode::kNotFound);
  CHECK(got.error().aws_code() == "NoSuchKey");
  CHECK(got.error().ToString() ==
        "fetching s3://b-missing/k: HTTP 404 NoSuchKey: the specified key does not exist");
}

// cloud-init's #include fetch goes through requests, which re-quotes the URL (and each
// redirect's): "a b" is requested as "a%20b".
TEST_CASE("RoutingFetcher requests plain URLs as requests re-quotes them, redirects too") {
  Rig rig;
  rig.http.Push(MakeResponse(302, "", {{"location", "/moved/c d.sh"}}));
  rig.http.Push(MakeResponse(200, "ok", {{"content-length", "2"}}));
  Result<FetchedObject> got = rig.fetcher.Fetch("http://example.com/a b.sh?x=\"y\"", {});
  REQUIRE(got.ok());
  CHECK(got->source.url == "http://example.com/a b.sh");
  std::vector<net::Request> sent = rig.http.requests();
  REQUIRE(sent.size() == 2);
  CHECK(sent[0].url == "http://example.com/a%20b.sh?x=%22y%22");
  CHECK(sent[1].url == "http://example.com/moved/c%20d.sh");
}

// cloud-init's _do_include takes an indented "  # note" line for a URL: named as it is.
TEST_CASE("RoutingFetcher names a line that is no URL by its text") {
  Rig rig;
  Result<FetchedObject> got = rig.fetcher.Fetch(std::string_view("# a comment"), {});
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().code() == ErrorCode::kUnsupported);
  CHECK(got.error().ToString().starts_with("fetching '# a comment': not a URL"));
  CHECK(rig.http.request_count() == 0);
}

TEST_CASE("RoutingFetcher follows plain redirects with fresh requests, up to the limit") {
  SECTION("relative redirect is followed and Source keeps the URL asked for") {
    Rig rig;
    rig.http.Push(MakeResponse(302, "", {{"location", "/moved/boot.sh"}}));
    rig.http.Push(MakeResponse(200, "moved", {{"content-length", "5"}}));
    Result<FetchedObject> got = rig.fetcher.Fetch("https://example.com/boot.sh?token=t0k", {});
    REQUIRE(got.ok());
    CHECK(got->body == "moved");
    CHECK(got->source.url == "https://example.com/boot.sh");
    std::vector<net::Request> sent = rig.http.requests();
    REQUIRE(sent.size() == 2);
    CHECK(sent[1].url == "https://example.com/moved/boot.sh");
    CHECK(sent[1].headers.empty());
    // The user data named the first URL; the server named the second: never IMDS.
    CHECK_FALSE(sent[0].refuse_link_local);
    CHECK(sent[1].refuse_link_local);
  }
  SECTION("a downgrade to http is refused") {
    Rig rig;
    rig.http.Push(MakeResponse(301, "", {{"location", "http://example.com/boot.sh"}}));
    Result<FetchedObject> got = rig.fetcher.Fetch("https://example.com/boot.sh", {});
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().code() == ErrorCode::kUnsupported);
    CHECK(rig.http.request_count() == 1);
  }
  SECTION("the sixth redirect fails") {
    Rig rig;
    rig.http.SetHandler([](const net::Request&) -> Result<net::Response> {
      return MakeResponse(307, "", {{"location", "/again"}});
    });
    Result<FetchedObject> got = rig.fetcher.Fetch("https://example.com/loop", {});
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().code() == ErrorCode::kHttp);
    CHECK(got.error().message() == "too many redirects (limit 5)");
    CHECK(rig.http.request_count() == 6);
  }
  SECTION("a redirect to an S3 host stays unsigned") {
    Rig rig;
    rig.http.Push(MakeResponse(302, "", {{"location", "https://b.s3.amazonaws.com/k"}}));
    rig.http.Push(MakeResponse(200, "public", {{"content-length", "6"}}));
    Result<FetchedObject> got = rig.fetcher.Fetch("https://example.com/k", {});
    REQUIRE(got.ok());
    CHECK(rig.s3.requests().empty());
    CHECK(rig.http.request_count() == 2);
  }
}

TEST_CASE("RoutingFetcher sends nothing once the deadline has passed") {
  Rig rig;
  FetchOptions options;
  options.deadline = Deadline::After(rig.clock, std::chrono::milliseconds(5));
  rig.clock.Advance(std::chrono::milliseconds(5));
  Result<FetchedObject> got = rig.fetcher.Fetch("https://example.com/k", options);
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().code() == ErrorCode::kTimeout);
  CHECK(rig.http.request_count() == 0);
}

TEST_CASE("RoutingFetcher records how long the fetch took on the injected clock") {
  Rig rig;
  rig.http.SetHandler([&](const net::Request&) -> Result<net::Response> {
    rig.clock.Advance(std::chrono::milliseconds(42));
    return MakeResponse(200, "x", {{"content-length", "1"}});
  });
  Result<FetchedObject> got = rig.fetcher.Fetch("https://example.com/k", {});
  REQUIRE(got.ok());
  CHECK(got->source.fetch_ms == Approx(42.0));
}

}  // namespace
}  // namespace s3us::fetch

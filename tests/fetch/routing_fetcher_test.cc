#include "fetch/routing_fetcher.h"

#include <catch2/catch.hpp>

#include "core/crypto.h"
#include "fetch/verify.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/fake_transport.h"
#include "tests/fakes/recording_sink.h"
#include "tests/fetch/fake_s3_client.h"

namespace s3us::fetch {
namespace {

using testing::FakeClock;
using testing::FakeS3Client;
using testing::FakeS3Object;
using testing::FakeTransport;
using testing::MakeResponse;
using testing::RecordingSink;

struct Rig {
  FakeS3Client s3;
  FakeTransport http;
  FakeClock clock;
  RoutingFetcher fetcher{s3, http, clock};
};

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

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
  CHECK(got->source.url == "s3://bbb/k");
}

TEST_CASE("RoutingFetcher checks the sha256 pin on every route") {
  const std::string body = "#!/bin/sh\ntrue\n";
  const std::string good = Sha256Hex(body);
  const std::string bad = Sha256Hex("something else");
  for (const std::string& url : {std::string("s3://bkt/k"), std::string("https://example.com/k")}) {
    INFO(url);
    Rig rig;
    rig.s3.Put("bkt", "k", FakeS3Object(body));
    rig.http.SetHandler(
        [&](const net::Request&) -> Result<net::Response> { return MakeResponse(200, body); });
    FetchOptions pinned;
    pinned.expected_sha256 = good;
    Result<FetchedObject> ok = rig.fetcher.Fetch(url, pinned);
    REQUIRE(ok.ok());
    CHECK(Contains(ok->source.verified_by, "sha256 pin"));

    pinned.expected_sha256 = std::string(bad.begin(), bad.end());
    for (char& c : *pinned.expected_sha256) c = static_cast<char>(std::toupper(c));
    Result<FetchedObject> mismatch = rig.fetcher.Fetch(url, pinned);
    REQUIRE_FALSE(mismatch.ok());
    CHECK(mismatch.error().code() == ErrorCode::kDigestMismatch);
    CHECK(mismatch.error().ToString() ==
          "fetching " + url + ": sha256 mismatch: expected " + bad + ", got " + good);
  }
}

TEST_CASE("RoutingFetcher hashes only what verification needs once record_sha256 is off") {
  const std::string body = "#!/bin/sh\ntrue\n";
  for (const std::string& url : {std::string("s3://bkt/k"), std::string("https://example.com/k")}) {
    INFO(url);
    Rig rig;
    FakeS3Object object(body);
    object.declares = {"content-length"};
    rig.s3.Put("bkt", "k", object);
    rig.http.SetHandler([&](const net::Request&) -> Result<net::Response> {
      return MakeResponse(200, body, {{"content-length", std::to_string(body.size())}});
    });
    FetchOptions options;
    options.record_sha256 = false;
    Result<FetchedObject> unpinned = rig.fetcher.Fetch(url, options);
    REQUIRE(unpinned.ok());
    CHECK(unpinned->source.sha256.empty());
    CHECK(unpinned->source.verified_by == "content-length");
    options.expected_sha256 = Sha256Hex(body);
    Result<FetchedObject> pinned = rig.fetcher.Fetch(url, options);
    REQUIRE(pinned.ok());
    CHECK(pinned->source.sha256 == Sha256Hex(body));
    CHECK(pinned->source.verified_by == "content-length, sha256 pin");
  }
}

TEST_CASE("RoutingFetcher rejects a malformed pin before trusting anything") {
  Rig rig;
  rig.s3.Put("bkt", "k", FakeS3Object("x"));
  FetchOptions options;
  options.expected_sha256 = "abc123";
  Result<FetchedObject> got = rig.fetcher.Fetch("s3://bkt/k", options);
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().code() == ErrorCode::kInvalidInput);
  CHECK(Contains(got.error().message(), "not 64 hex digits"));
}

TEST_CASE("RoutingFetcher fails a body shorter than its declared length") {
  SECTION("plain https with Content-Length") {
    Rig rig;
    rig.http.Push(MakeResponse(200, "0123456789", {{"content-length", "100"}}));
    Result<FetchedObject> got = rig.fetcher.Fetch("https://example.com/k", {});
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().code() == ErrorCode::kLengthMismatch);
    CHECK(got.error().ToString() ==
          "fetching https://example.com/k: incomplete body: expected 100 bytes, received 10");
  }
  SECTION("S3 object size") {
    Rig rig;
    rig.s3.Put("bkt", "k", FakeS3Object("0123456789").WithClaimedSize(11));
    Result<FetchedObject> got = rig.fetcher.Fetch("s3://bkt/k", {});
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().code() == ErrorCode::kLengthMismatch);
    CHECK(got.error().ToString() ==
          "fetching s3://bkt/k: incomplete body: expected 11 bytes, received 10");
  }
}

TEST_CASE("RoutingFetcher enforces max_bytes on every route") {
  const std::string big(1000, 'x');
  SECTION("plain") {
    Rig rig;
    rig.http.Push(MakeResponse(200, big));
    FetchOptions options;
    options.max_bytes = 999;
    Result<FetchedObject> got = rig.fetcher.Fetch("https://example.com/big", options);
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().code() == ErrorCode::kLimitExceeded);
    CHECK(got.error().ToString() ==
          "fetching https://example.com/big: " + SizeLimitError(999).message());
  }
  SECTION("plain, a declared length over the limit fails on the head") {
    Rig rig;
    RecordingSink sink;
    rig.http.Push(MakeResponse(200, big, {{"content-length", "1000"}}));
    FetchOptions options;
    options.max_bytes = 999;
    options.sink = &sink;
    Result<FetchedObject> got = rig.fetcher.Fetch("https://example.com/big", options);
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().ToString() == "fetching https://example.com/big: " +
                                        SizeLimitError(999).message() + ": Content-Length is 1000");
    CHECK(sink.data.empty());
  }
  SECTION("S3: the fake client sends every byte, the limit passed down stops them") {
    Rig rig;
    FakeS3Object object(big);
    object.declares = {};
    rig.s3.Put("bkt", "big", object);
    RecordingSink sink;
    FetchOptions options;
    options.max_bytes = 999;
    options.sink = &sink;
    Result<FetchedObject> got = rig.fetcher.Fetch("s3://bkt/big", options);
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().code() == ErrorCode::kLimitExceeded);
    CHECK(got.error().ToString() == "fetching s3://bkt/big: " + SizeLimitError(999).message());
    CHECK(sink.data.empty());
  }
  SECTION("S3, a declared length over the limit") {
    Rig rig;
    rig.s3.Put("bkt", "big", FakeS3Object(big));
    FetchOptions options;
    options.max_bytes = 999;
    Result<FetchedObject> got = rig.fetcher.Fetch("s3://bkt/big", options);
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().ToString() ==
          "fetching s3://bkt/big: " + SizeLimitError(999).message() + ": Content-Length is 1000");
  }
  SECTION("exactly at the limit passes") {
    Rig rig;
    rig.http.Push(MakeResponse(200, big, {{"content-length", "1000"}}));
    FetchOptions options;
    options.max_bytes = 1000;
    CHECK(rig.fetcher.Fetch("https://example.com/big", options).ok());
  }
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

TEST_CASE("RoutingFetcher streams to the caller's sink and still verifies") {
  Rig rig;
  rig.s3.Put("bkt", "k", FakeS3Object("streamed"));
  RecordingSink sink;
  FetchOptions options;
  options.sink = &sink;
  options.expected_sha256 = Sha256Hex("streamed");
  Result<FetchedObject> got = rig.fetcher.Fetch("s3://bkt/k", options);
  REQUIRE(got.ok());
  CHECK(got->body.empty());
  CHECK(sink.data == "streamed");
  CHECK(got->source.size == 8);
  CHECK(got->source.sha256 == Sha256Hex("streamed"));
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

TEST_CASE("RoutingFetcher refuses a body with no evidence of completeness unless pinned") {
  SECTION("plain, close-delimited: no Content-Length") {
    Rig rig;
    rig.http.Push(MakeResponse(200, "#!/bin/sh\necho half"));
    Result<FetchedObject> got = rig.fetcher.Fetch("http://10.0.0.1/boot.sh", {});
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().code() == ErrorCode::kIntegrity);
    CHECK(Contains(got.error().ToString(),
                   "fetching http://10.0.0.1/boot.sh: no evidence the body is complete"));
    rig.http.Push(MakeResponse(200, "#!/bin/sh\necho half"));
    FetchOptions pinned;
    pinned.expected_sha256 = Sha256Hex("#!/bin/sh\necho half");
    Result<FetchedObject> ok = rig.fetcher.Fetch("http://10.0.0.1/boot.sh", pinned);
    REQUIRE(ok.ok());
    CHECK(ok->source.verified_by == "sha256 pin");
  }
  SECTION("S3 with neither a length nor a checksum checked by the client") {
    Rig rig;
    FakeS3Object object("0123456789");
    object.declares = {};
    rig.s3.Put("bkt", "k", object);
    Result<FetchedObject> got = rig.fetcher.Fetch("s3://bkt/k", {});
    REQUIRE_FALSE(got.ok());
    CHECK(Contains(got.error().message(), "no evidence the body is complete"));
  }
  SECTION("S3: the received size is never reported as a content-length check") {
    Rig rig;
    FakeS3Object object("0123456789");
    object.declares = {"etag-md5"};
    rig.s3.Put("bkt", "k", object);
    Result<FetchedObject> got = rig.fetcher.Fetch("s3://bkt/k", {});
    REQUIRE(got.ok());
    CHECK(got->source.verified_by == "etag-md5");
  }
}

}  // namespace
}  // namespace s3us::fetch

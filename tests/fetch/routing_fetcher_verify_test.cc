// The RoutingFetcher verifying what it fetched: pins, lengths, limits and evidence.
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

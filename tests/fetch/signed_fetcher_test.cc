#include "fetch/signed_fetcher.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "tests/fakes/fake_clock.h"
#include "tests/fakes/recording_sink.h"
#include "tests/trust/test_keys.h"

namespace s3us::fetch {
namespace {

using namespace trust::testing;
using s3us::testing::FakeClock;

// Serves bodies by URL; records what was asked.
class MapFetcher : public Fetcher {
 public:
  using Fetcher::Fetch;
  std::map<std::string, std::string> bodies;
  std::vector<std::string> asked;
  // As a real fetcher: a caller's sink takes the body, which then does not come back.
  Result<FetchedObject> Fetch(const Target& target, const FetchOptions& options) override {
    const std::string& url = target.url;
    std::lock_guard<std::mutex> lock(mu_);
    asked.emplace_back(url);
    auto it = bodies.find(std::string(url));
    if (it == bodies.end()) return Error(ErrorCode::kNotFound, "no such key");
    FetchedObject o;
    o.source.verified_by = "content-length";
    if (options.sink == nullptr) {
      o.body = it->second;
    } else if (Status s = options.sink->Write(it->second); !s.ok()) {
      return s.error();
    }
    return o;
  }
  Result<std::optional<std::string>> VerifyKept(std::string_view, std::string_view,
                                                const FetchOptions&) override {
    return std::optional<std::string>();
  }

 private:
  std::mutex mu_;
};

trust::AllowedSigners Signers() {
  auto s = trust::AllowedSigners::Parse(std::string("deploy@example.com ") + kEd25519Pub, "a");
  REQUIRE(s.ok());
  return *s;
}

TEST_CASE("SignatureTarget names KEY.sig beside an S3 object, in the object's bucket") {
  auto sig = [](std::string_view url) { return SignatureTarget(ResolveTarget(url)); };
  Target plain = sig("s3://bkt/k.sh");
  CHECK(plain.route == Route::kS3);
  CHECK(plain.url == "s3://bkt/k.sh.sig");
  REQUIRE(plain.s3.ok());
  CHECK(plain.s3->key == "k.sh.sig");
  Target pinned = sig("s3://bkt/k.sh?versionId=3");
  REQUIRE(pinned.s3.ok());
  CHECK(pinned.s3->key == "k.sh.sig");
  CHECK(pinned.s3->version_id.empty());  // the signature's latest version
  // An s3:// key holds any '?' that is not a version: the signature's key holds it too.
  Target query = sig("s3://boot/q?x=1");
  REQUIRE(query.s3.ok());
  CHECK(query.s3->key == "q?x=1.sig");
  CHECK(sig("arn:aws:s3:::bkt/dir/k").url == "s3://bkt/dir/k.sig");
  Target hosted = sig("https://boot.s3.eu-west-1.amazonaws.com/dir/ed%20it.sh");
  REQUIRE(hosted.s3.ok());
  CHECK(hosted.s3->bucket == "boot");
  CHECK(hosted.s3->key == "dir/ed it.sh.sig");
  CHECK(hosted.s3->region == "eu-west-1");
  // A pre-signed URL's signature is an S3 object fetched with the caller's credentials.
  Target presigned =
      sig("https://bkt.s3.amazonaws.com/k.sh?X-Amz-Credential=AKIDEXAMPLE&X-Amz-Signature=ab");
  CHECK(presigned.route == Route::kS3);
  REQUIRE(presigned.s3.ok());
  CHECK(presigned.s3->key == "k.sh.sig");
  CHECK(presigned.url.find("X-Amz") == std::string::npos);
}

TEST_CASE("SignatureTarget appends .sig to a plain URL's path, keeping its query") {
  auto sig = [](std::string_view url) { return SignatureTarget(ResolveTarget(url)); };
  CHECK(sig("https://example.com/a/b.sh").url == "https://example.com/a/b.sh.sig");
  CHECK(sig("https://example.com/a/b.sh?token=1").url == "https://example.com/a/b.sh.sig?token=1");
  CHECK(sig("https://example.com/a/b.sh#v2").url == "https://example.com/a/b.sh.sig");
  CHECK(sig("https://example.com/b.sh?t=1#v2").url == "https://example.com/b.sh.sig?t=1");
  CHECK(sig("https://example.com/b.sh").route == Route::kPlain);
}

TEST_CASE("SignedFetcher returns a signed object and names its signer") {
  MapFetcher inner;
  inner.bodies["s3://bkt/boot.sh?versionId=7"] = kMessage;
  inner.bodies["s3://bkt/boot.sh.sig"] = kEd25519Signature;
  FakeClock clock;
  auto signers = Signers();
  SignedFetcher fetcher(inner, &signers, clock);
  auto got = fetcher.Fetch("s3://bkt/boot.sh?versionId=7", {});
  REQUIRE(got.ok());
  CHECK(got->body == kMessage);
  CHECK(got->source.verified_by == std::string("content-length, ssh signature by "
                                               "deploy@example.com (") +
                                       kEd25519Fingerprint + " ED25519)");
  CHECK(inner.asked.size() == 2);
}

TEST_CASE("SignedFetcher refuses unsigned and tampered objects") {
  MapFetcher inner;
  inner.bodies["s3://bkt/boot.sh"] = std::string(kMessage) + "evil\n";
  FakeClock clock;
  auto signers = Signers();
  SignedFetcher fetcher(inner, &signers, clock);
  auto unsigned_object = fetcher.Fetch("s3://bkt/boot.sh", {});
  REQUIRE_FALSE(unsigned_object.ok());
  CHECK(unsigned_object.error().code() == ErrorCode::kIntegrity);
  CHECK(unsigned_object.error().message().starts_with("no usable signature"));
  inner.bodies["s3://bkt/boot.sh.sig"] = kEd25519Signature;
  auto tampered = fetcher.Fetch("s3://bkt/boot.sh", {});
  REQUIRE_FALSE(tampered.ok());
  CHECK(tampered.error().ToString() == "signature s3://bkt/boot.sh.sig: signature does not verify");
}

TEST_CASE("SignedFetcher leaves a caller's sink a body only when its signature verified") {
  MapFetcher inner;
  inner.bodies["s3://bkt/boot.sh"] = kMessage;
  inner.bodies["s3://bkt/boot.sh.sig"] = kEd25519Signature;
  FakeClock clock;
  auto signers = Signers();
  SignedFetcher fetcher(inner, &signers, clock);
  s3us::testing::RecordingSink sink;
  FetchOptions options;
  options.sink = &sink;
  auto got = fetcher.Fetch("s3://bkt/boot.sh", options);
  REQUIRE(got.ok());
  CHECK(sink.data == kMessage);
  CHECK(got->body.empty());

  inner.bodies["s3://bkt/boot.sh"] = std::string(kMessage) + "evil\n";
  s3us::testing::RecordingSink refused;
  options.sink = &refused;
  auto tampered = fetcher.Fetch("s3://bkt/boot.sh", options);
  REQUIRE_FALSE(tampered.ok());
  // Checked from the digests of what streamed past, as from the body in memory.
  CHECK(tampered.error().ToString() == "signature s3://bkt/boot.sh.sig: signature does not verify");
  CHECK(refused.data.empty());
  CHECK(refused.resets == 1);
}

// Writes the object's body into the caller's sink, then fails it (a digest mismatch found at
// the end, which a plain fetch reports without emptying the sink).
class CutAfterWriteFetcher : public MapFetcher {
 public:
  using Fetcher::Fetch;
  Result<FetchedObject> Fetch(const Target& target, const FetchOptions& options) override {
    Result<FetchedObject> got = MapFetcher::Fetch(target, options);
    if (target.url.find(".sig") != std::string::npos || !got.ok()) return got;
    return Error(ErrorCode::kIntegrity, "sha256 mismatch");
  }
};

TEST_CASE("SignedFetcher empties a caller's sink when the object itself fails") {
  CutAfterWriteFetcher inner;
  inner.bodies["s3://bkt/boot.sh"] = kMessage;
  inner.bodies["s3://bkt/boot.sh.sig"] = kEd25519Signature;
  FakeClock clock;
  auto signers = Signers();
  SignedFetcher fetcher(inner, &signers, clock);
  s3us::testing::RecordingSink sink;
  FetchOptions options;
  options.sink = &sink;
  auto got = fetcher.Fetch("s3://bkt/boot.sh", options);
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().ToString() == "sha256 mismatch");
  CHECK(sink.data.empty());
  CHECK(sink.resets == 1);
}

// A body whose answer never ends until its deadline is stopped: the object of a signature
// by an untrusted key.
class HeldBodyFetcher : public MapFetcher {
 public:
  using Fetcher::Fetch;
  Result<FetchedObject> Fetch(const Target& target, const FetchOptions& options) override {
    if (target.url.find(".sig") != std::string::npos) return MapFetcher::Fetch(target, options);
    while (!options.deadline.Expired(SystemClock::Get())) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return Error(ErrorCode::kTimeout, "stopped");
  }
};

TEST_CASE("SignedFetcher stops the body at once when its signature's key is not trusted") {
  // The body was read to its end (64 MiB each, 16 at once, held in memory) before the
  // signature's key was looked up in allowed_signers.
  HeldBodyFetcher inner;
  inner.bodies["s3://bkt/boot.sh.sig"] = kEd25519Signature;
  auto other = trust::AllowedSigners::Parse(std::string("deploy@example.com ") + kEcdsa521Pub, "a");
  REQUIRE(other.ok());
  FakeClock clock;
  SignedFetcher fetcher(inner, &*other, clock);
  FetchOptions options;
  options.deadline = Deadline::After(SystemClock::Get(), std::chrono::seconds(60));
  auto got = fetcher.Fetch("s3://bkt/boot.sh", options);
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().code() == ErrorCode::kAccessDenied);
  CHECK_THAT(
      got.error().ToString(),
      Catch::Matchers::Equals("signature s3://bkt/boot.sh.sig: key " +
                              std::string(kEd25519Fingerprint) + " is not in allowed_signers"));
}

TEST_CASE("SignedFetcher judges key validity at the clock's time") {
  MapFetcher inner;
  inner.bodies["s3://bkt/boot.sh"] = kMessage;
  inner.bodies["s3://bkt/boot.sh.sig"] = kEd25519Signature;
  auto signers = trust::AllowedSigners::Parse(
      std::string("deploy@example.com valid-before=\"20160101Z\" ") + kEd25519Pub, "a");
  REQUIRE(signers.ok());
  FakeClock clock;  // 2015
  SignedFetcher fetcher(inner, &*signers, clock);
  CHECK(fetcher.Fetch("s3://bkt/boot.sh", {}).ok());
  clock.Advance(std::chrono::hours(24 * 365));
  auto expired = fetcher.Fetch("s3://bkt/boot.sh", {});
  REQUIRE_FALSE(expired.ok());
  CHECK(expired.error().code() == ErrorCode::kAccessDenied);
}

TEST_CASE("SignedFetcher without configured trust passes through unless a signer is asked for") {
  MapFetcher inner;
  inner.bodies["s3://bkt/boot.sh"] = kMessage;
  FakeClock clock;
  SignedFetcher fetcher(inner, nullptr, clock);
  auto plain = fetcher.Fetch("s3://bkt/boot.sh", {});
  REQUIRE(plain.ok());
  CHECK(plain->source.verified_by == "content-length");
  CHECK(inner.asked == std::vector<std::string>{"s3://bkt/boot.sh"});

  FetchOptions demand;
  demand.signer = "deploy@example.com";
  auto refused = fetcher.Fetch("s3://bkt/boot.sh", demand);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code() == ErrorCode::kInvalidInput);
  CHECK(refused.error().ToString() ==
        "fetching s3://bkt/boot.sh: signer=deploy@example.com asks for a signature, but no "
        "allowed signers are configured");
}

TEST_CASE("SignedFetcher takes one object's own signers beside the configured ones") {
  MapFetcher inner;
  inner.bodies["s3://bkt/boot.sh"] = kMessage;
  inner.bodies["s3://bkt/boot.sh.sig"] = kEd25519Signature;
  FakeClock clock;
  auto scoped = Signers();
  FetchOptions options;
  options.signers = &scoped;

  SignedFetcher unconfigured(inner, nullptr, clock);
  CHECK(unconfigured.Fetch("s3://bkt/boot.sh", options).ok());
  CHECK_FALSE(unconfigured.Fetch("s3://bkt/other.sh", options).ok());  // no .sig: refused

  // A configured list that does not hold the key: the object's own list still vouches.
  auto other = trust::AllowedSigners::Parse(std::string("ops@example.com ") + kEcdsa521Pub, "b");
  REQUIRE(other.ok());
  SignedFetcher configured(inner, &*other, clock);
  CHECK_FALSE(configured.Fetch("s3://bkt/boot.sh", {}).ok());
  CHECK(configured.Fetch("s3://bkt/boot.sh", options).ok());
}

TEST_CASE("SignedFetcher checks the principal an include line names") {
  MapFetcher inner;
  inner.bodies["s3://bkt/boot.sh"] = kMessage;
  inner.bodies["s3://bkt/boot.sh.sig"] = kEd25519Signature;
  FakeClock clock;
  auto signers = Signers();
  SignedFetcher fetcher(inner, &signers, clock);
  FetchOptions right;
  right.signer = "deploy@example.com";
  auto got = fetcher.Fetch("s3://bkt/boot.sh", right);
  REQUIRE(got.ok());
  CHECK(got->source.verified_by.find("ssh signature by deploy@example.com") != std::string::npos);
  FetchOptions wrong;
  wrong.signer = "intern@example.com";
  auto refused = fetcher.Fetch("s3://bkt/boot.sh", wrong);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code() == ErrorCode::kAccessDenied);
}

TEST_CASE("SignedFetcher says a pinned version is checked against the latest signature") {
  MapFetcher inner;
  inner.bodies["s3://bkt/v.sh?versionId=v1"] = std::string(kMessage) + "older\n";
  inner.bodies["s3://bkt/v.sh.sig"] = kEd25519Signature;
  FakeClock clock;
  auto signers = Signers();
  SignedFetcher fetcher(inner, &signers, clock);
  auto old = fetcher.Fetch("s3://bkt/v.sh?versionId=v1", {});
  REQUIRE_FALSE(old.ok());
  CHECK(old.error().ToString() ==
        "signature s3://bkt/v.sh.sig: signature does not verify; the signature is v.sh.sig's "
        "latest version; it does not sign version v1");
  CHECK(inner.asked.back() != "s3://bkt/v.sh.sig?versionId=v1");
}

// Serves as MapFetcher, but a fetch of a URL in `stall` waits until its deadline passes
// (as a server that never answers), and says how it ended.
class StallingFetcher : public MapFetcher {
 public:
  std::set<std::string> stall;
  std::atomic<int> stopped{0};
  Result<FetchedObject> Fetch(const Target& target, const FetchOptions& options) override {
    if (!stall.count(target.url)) return MapFetcher::Fetch(target, options);
    SystemClock& clock = SystemClock::Get();
    Deadline patience = Deadline::After(clock, std::chrono::seconds(20));
    while (!options.deadline.Expired(clock) && !patience.Expired(clock)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (options.deadline.stopped()) ++stopped;
    return Error(ErrorCode::kTimeout, "deadline");
  }
};

TEST_CASE("SignedFetcher reports the first failure at once: the other fetch is stopped") {
  FakeClock clock;
  auto signers = Signers();
  SystemClock& real = SystemClock::Get();
  SECTION("the object is missing, its signature never answers") {
    StallingFetcher inner;
    inner.stall.insert("s3://bkt/gone.sh.sig");
    SignedFetcher fetcher(inner, &signers, clock);
    Deadline bound = Deadline::After(real, std::chrono::seconds(10));
    auto got = fetcher.Fetch("s3://bkt/gone.sh", {});
    CHECK_FALSE(bound.Expired(real));
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().code() == ErrorCode::kNotFound);
    CHECK(inner.stopped == 1);
  }
  SECTION("the signature is missing, the object never finishes") {
    StallingFetcher inner;
    inner.stall.insert("s3://bkt/big.sh");
    SignedFetcher fetcher(inner, &signers, clock);
    Deadline bound = Deadline::After(real, std::chrono::seconds(10));
    auto got = fetcher.Fetch("s3://bkt/big.sh", {});
    CHECK_FALSE(bound.Expired(real));
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().code() == ErrorCode::kIntegrity);
    CHECK(got.error().message().starts_with("no usable signature"));
    CHECK(inner.stopped == 1);
  }
}

TEST_CASE("SignedFetcher::VerifyKept checks kept bytes under the trust that applies now") {
  MapFetcher inner;
  FakeClock clock;
  auto signers = Signers();
  SignedFetcher unconfigured(inner, nullptr, clock);
  auto none = unconfigured.VerifyKept(kMessage, "", {});
  REQUIRE(none.ok());
  CHECK_FALSE(*none);  // no trust: nothing to check
  FetchOptions demand;
  demand.signer = "deploy@example.com";
  CHECK_FALSE(unconfigured.VerifyKept(kMessage, kEd25519Signature, demand).ok());

  SignedFetcher configured(inner, &signers, clock);
  auto good = configured.VerifyKept(kMessage, kEd25519Signature, {});
  REQUIRE((good.ok() && *good));
  CHECK(good->value().starts_with("ssh signature by deploy@example.com"));
  CHECK_FALSE(configured.VerifyKept(kMessage, "", {}).ok());  // none kept
  CHECK_FALSE(configured.VerifyKept("#!/bin/sh\nevil\n", kEd25519Signature, {}).ok());
  FetchOptions other;
  other.signer = "intern@example.com";
  CHECK_FALSE(configured.VerifyKept(kMessage, kEd25519Signature, other).ok());
  // A key since removed from the list (revoked) no longer vouches for what was kept.
  auto revoked = trust::AllowedSigners::Parse(std::string("ops@example.com ") + kEcdsa521Pub, "b");
  REQUIRE(revoked.ok());
  SignedFetcher rotated(inner, &*revoked, clock);
  CHECK_FALSE(rotated.VerifyKept(kMessage, kEd25519Signature, {}).ok());
  // An object's own list applies as it does to a fetch.
  FetchOptions scoped;
  scoped.signers = &signers;
  CHECK(unconfigured.VerifyKept(kMessage, kEd25519Signature, scoped).ok());
}

}  // namespace
}  // namespace s3us::fetch

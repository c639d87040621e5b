#include "fetch/signed_fetcher.h"

#include <catch2/catch.hpp>
#include <map>
#include <mutex>

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
  Result<FetchedObject> Fetch(const Target& target, const FetchOptions&) override {
    const std::string& url = target.url;
    std::lock_guard<std::mutex> lock(mu_);
    asked.emplace_back(url);
    auto it = bodies.find(std::string(url));
    if (it == bodies.end()) return Error(ErrorCode::kNotFound, "no such key");
    FetchedObject o;
    o.body = it->second;
    o.source.verified_by = "content-length";
    return o;
  }

 private:
  std::mutex mu_;
};

trust::AllowedSigners Signers() {
  auto s = trust::AllowedSigners::Parse(std::string("deploy@example.com ") + kEd25519Pub, "a");
  REQUIRE(s.ok());
  return *s;
}

TEST_CASE("SignatureUrl drops the query and appends .sig") {
  CHECK(SignatureUrl("s3://b/k.sh") == "s3://b/k.sh.sig");
  CHECK(SignatureUrl("s3://b/k.sh?versionId=3") == "s3://b/k.sh.sig");
  CHECK(SignatureUrl("arn:aws:s3:::b/dir/k") == "arn:aws:s3:::b/dir/k.sig");
}

TEST_CASE("SignedFetcher returns a signed object and names its signer") {
  MapFetcher inner;
  inner.bodies["s3://b/boot.sh?versionId=7"] = kMessage;
  inner.bodies["s3://b/boot.sh.sig"] = kEd25519Signature;
  FakeClock clock;
  auto signers = Signers();
  SignedFetcher fetcher(inner, &signers, clock);
  auto got = fetcher.Fetch("s3://b/boot.sh?versionId=7", {});
  REQUIRE(got.ok());
  CHECK(got->body == kMessage);
  CHECK(got->source.verified_by == std::string("content-length, ssh signature by "
                                               "deploy@example.com (") +
                                       kEd25519Fingerprint + " ED25519)");
  CHECK(inner.asked.size() == 2);
}

TEST_CASE("SignedFetcher refuses unsigned and tampered objects") {
  MapFetcher inner;
  inner.bodies["s3://b/boot.sh"] = std::string(kMessage) + "evil\n";
  FakeClock clock;
  auto signers = Signers();
  SignedFetcher fetcher(inner, &signers, clock);
  auto unsigned_object = fetcher.Fetch("s3://b/boot.sh", {});
  REQUIRE_FALSE(unsigned_object.ok());
  CHECK(unsigned_object.error().code() == ErrorCode::kIntegrity);
  CHECK(unsigned_object.error().message().starts_with("no usable signature"));
  inner.bodies["s3://b/boot.sh.sig"] = kEd25519Signature;
  auto tampered = fetcher.Fetch("s3://b/boot.sh", {});
  REQUIRE_FALSE(tampered.ok());
  CHECK(tampered.error().ToString() == "signature s3://b/boot.sh.sig: signature does not verify");
}

TEST_CASE("SignedFetcher hands a caller's sink only a body whose signature verified") {
  MapFetcher inner;
  inner.bodies["s3://b/boot.sh"] = kMessage;
  inner.bodies["s3://b/boot.sh.sig"] = kEd25519Signature;
  FakeClock clock;
  auto signers = Signers();
  SignedFetcher fetcher(inner, &signers, clock);
  s3us::testing::RecordingSink sink;
  FetchOptions options;
  options.sink = &sink;
  auto got = fetcher.Fetch("s3://b/boot.sh", options);
  REQUIRE(got.ok());
  CHECK(sink.data == kMessage);
  CHECK(got->body.empty());

  inner.bodies["s3://b/boot.sh"] = std::string(kMessage) + "evil\n";
  s3us::testing::RecordingSink refused;
  options.sink = &refused;
  REQUIRE_FALSE(fetcher.Fetch("s3://b/boot.sh", options).ok());
  CHECK(refused.data.empty());
}

TEST_CASE("SignedFetcher judges key validity at the clock's time") {
  MapFetcher inner;
  inner.bodies["s3://b/boot.sh"] = kMessage;
  inner.bodies["s3://b/boot.sh.sig"] = kEd25519Signature;
  auto signers = trust::AllowedSigners::Parse(
      std::string("deploy@example.com valid-before=\"20160101Z\" ") + kEd25519Pub, "a");
  REQUIRE(signers.ok());
  FakeClock clock;  // 2015
  SignedFetcher fetcher(inner, &*signers, clock);
  CHECK(fetcher.Fetch("s3://b/boot.sh", {}).ok());
  clock.Advance(std::chrono::hours(24 * 365));
  auto expired = fetcher.Fetch("s3://b/boot.sh", {});
  REQUIRE_FALSE(expired.ok());
  CHECK(expired.error().code() == ErrorCode::kAccessDenied);
}

TEST_CASE("SignedFetcher without configured trust passes through unless a signer is asked for") {
  MapFetcher inner;
  inner.bodies["s3://b/boot.sh"] = kMessage;
  FakeClock clock;
  SignedFetcher fetcher(inner, nullptr, clock);
  auto plain = fetcher.Fetch("s3://b/boot.sh", {});
  REQUIRE(plain.ok());
  CHECK(plain->source.verified_by == "content-length");
  CHECK(inner.asked == std::vector<std::string>{"s3://b/boot.sh"});

  FetchOptions demand;
  demand.signer = "deploy@example.com";
  auto refused = fetcher.Fetch("s3://b/boot.sh", demand);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code() == ErrorCode::kInvalidInput);
  CHECK(refused.error().ToString() ==
        "fetching s3://b/boot.sh: signer=deploy@example.com asks for a signature, but no "
        "allowed signers are configured");
}

TEST_CASE("SignedFetcher takes one object's own signers beside the configured ones") {
  MapFetcher inner;
  inner.bodies["s3://b/boot.sh"] = kMessage;
  inner.bodies["s3://b/boot.sh.sig"] = kEd25519Signature;
  FakeClock clock;
  auto scoped = Signers();
  FetchOptions options;
  options.signers = &scoped;

  SignedFetcher unconfigured(inner, nullptr, clock);
  CHECK(unconfigured.Fetch("s3://b/boot.sh", options).ok());
  CHECK_FALSE(unconfigured.Fetch("s3://b/other.sh", options).ok());  // no .sig: refused

  // A configured list that does not hold the key: the object's own list still vouches.
  auto other = trust::AllowedSigners::Parse(std::string("ops@example.com ") + kEcdsa521Pub, "b");
  REQUIRE(other.ok());
  SignedFetcher configured(inner, &*other, clock);
  CHECK_FALSE(configured.Fetch("s3://b/boot.sh", {}).ok());
  CHECK(configured.Fetch("s3://b/boot.sh", options).ok());
}

TEST_CASE("SignedFetcher checks the principal an include line names") {
  MapFetcher inner;
  inner.bodies["s3://b/boot.sh"] = kMessage;
  inner.bodies["s3://b/boot.sh.sig"] = kEd25519Signature;
  FakeClock clock;
  auto signers = Signers();
  SignedFetcher fetcher(inner, &signers, clock);
  FetchOptions right;
  right.signer = "deploy@example.com";
  auto got = fetcher.Fetch("s3://b/boot.sh", right);
  REQUIRE(got.ok());
  CHECK(got->source.verified_by.find("ssh signature by deploy@example.com") != std::string::npos);
  FetchOptions wrong;
  wrong.signer = "intern@example.com";
  auto refused = fetcher.Fetch("s3://b/boot.sh", wrong);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code() == ErrorCode::kAccessDenied);
}

}  // namespace
}  // namespace s3us::fetch

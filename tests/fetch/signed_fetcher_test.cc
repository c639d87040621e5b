#include "fetch/signed_fetcher.h"

#include <catch2/catch.hpp>
#include <map>
#include <mutex>

#include "tests/fakes/fake_clock.h"
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
  SignedFetcher fetcher(inner, signers, clock);
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
  SignedFetcher fetcher(inner, signers, clock);
  auto unsigned_object = fetcher.Fetch("s3://b/boot.sh", {});
  REQUIRE_FALSE(unsigned_object.ok());
  CHECK(unsigned_object.error().code() == ErrorCode::kIntegrity);
  CHECK(unsigned_object.error().message().starts_with("no usable signature"));
  inner.bodies["s3://b/boot.sh.sig"] = kEd25519Signature;
  auto tampered = fetcher.Fetch("s3://b/boot.sh", {});
  REQUIRE_FALSE(tampered.ok());
  CHECK(tampered.error().ToString() == "signature s3://b/boot.sh.sig: signature does not verify");
}

TEST_CASE("SignedFetcher judges key validity at the clock's time") {
  MapFetcher inner;
  inner.bodies["s3://b/boot.sh"] = kMessage;
  inner.bodies["s3://b/boot.sh.sig"] = kEd25519Signature;
  auto signers = trust::AllowedSigners::Parse(
      std::string("deploy@example.com valid-before=\"20160101Z\" ") + kEd25519Pub, "a");
  REQUIRE(signers.ok());
  FakeClock clock;  // 2015
  SignedFetcher fetcher(inner, *signers, clock);
  CHECK(fetcher.Fetch("s3://b/boot.sh", {}).ok());
  clock.Advance(std::chrono::hours(24 * 365));
  auto expired = fetcher.Fetch("s3://b/boot.sh", {});
  REQUIRE_FALSE(expired.ok());
  CHECK(expired.error().code() == ErrorCode::kAccessDenied);
}

}  // namespace
}  // namespace s3us::fetch

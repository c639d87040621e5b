#include "fetch/verify.h"

#include <catch2/catch.hpp>

#include "core/crypto.h"

namespace s3us::fetch {
namespace {

TEST_CASE("VerifyBody lists what it checked and merges earlier checks") {
  ReceivedBody body{.bytes = 3,
                    .sha256 = Sha256Hex("abc"),
                    .declared_size = 3,
                    .upstream_verified_by = "include-once cache"};
  FetchOptions options;
  options.expected_sha256 = Sha256Hex("abc");
  Result<std::string> checks = VerifyBody(body, options);
  REQUIRE(checks.ok());
  CHECK(*checks == "content-length, include-once cache, sha256 pin");

  ReceivedBody undeclared;
  undeclared.bytes = 3;
  undeclared.sha256 = Sha256Hex("abc");
  Result<std::string> none = VerifyBody(undeclared, {});
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().code() == ErrorCode::kIntegrity);
  CHECK(none.error().message().starts_with("no evidence the body is complete"));
  FetchOptions pinned;
  pinned.expected_sha256 = Sha256Hex("abc");
  Result<std::string> pin = VerifyBody(undeclared, pinned);
  REQUIRE(pin.ok());
  CHECK(*pin == "sha256 pin");
}

TEST_CASE("VerifyBody words mismatches as the streaming verifier does") {
  for (uint64_t declared : {2u, 4u}) {
    ReceivedBody body;
    body.bytes = 3;
    body.sha256 = Sha256Hex("abc");
    body.declared_size = declared;
    Result<std::string> checks = VerifyBody(body, {});
    REQUIRE_FALSE(checks.ok());
    CHECK(checks.error().code() == ErrorCode::kLengthMismatch);
    CHECK(checks.error().message() == net::LengthMismatch(declared, 3).message());
  }
  ReceivedBody cached;
  cached.bytes = 3;
  cached.sha256 = Sha256Hex("abc");
  cached.upstream_verified_by = "cache";
  FetchOptions pinned;
  pinned.expected_sha256 = Sha256Hex("xyz");
  Result<std::string> mismatch = VerifyBody(cached, pinned);
  REQUIRE_FALSE(mismatch.ok());
  CHECK(mismatch.error().code() == ErrorCode::kDigestMismatch);
  CHECK(mismatch.error().message() ==
        "sha256 mismatch: expected " + Sha256Hex("xyz") + ", got " + Sha256Hex("abc"));
}

TEST_CASE("RequireEvidence refuses an empty list only") {
  CHECK(RequireEvidence("content-length").ok());
  Status none = RequireEvidence("  ");
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().code() == ErrorCode::kIntegrity);
}

TEST_CASE("NormalizeSha256Pin lower-cases valid pins and rejects the rest") {
  std::string upper(64, 'A');
  Result<std::string> ok = NormalizeSha256Pin(upper);
  REQUIRE(ok.ok());
  CHECK(*ok == std::string(64, 'a'));
  for (const std::string& bad :
       {std::string(63, 'a'), std::string(65, 'a'), std::string(63, 'a') + "g", std::string()}) {
    Result<std::string> r = NormalizeSha256Pin(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == ErrorCode::kInvalidInput);
  }
}

}  // namespace
}  // namespace s3us::fetch

#include "fetch/verify.h"

#include <catch2/catch.hpp>

#include "core/crypto.h"

namespace s3us::fetch {
namespace {

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

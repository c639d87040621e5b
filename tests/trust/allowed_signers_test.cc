#include "trust/allowed_signers.h"

#include <catch2/catch.hpp>

#include "tests/trust/test_keys.h"

namespace s3us::trust {
namespace {

using namespace testing;

std::string Line(std::string_view prefix, std::string_view key = kEd25519Pub) {
  return std::string(prefix) + " " + std::string(key) + " comment words\n";
}

TEST_CASE("AllowedSigners reads principals, options and keys, skipping comments") {
  std::string text =
      "# trust\n\n" + Line("deploy@example.com") +
      Line("\"ops team\" namespaces=\"s3-user-script,git\",valid-after=\"20240101Z\"",
           kEcdsa521Pub) +
      Line("*@example.com VALID-BEFORE=\"20300101120000UTC\"", kRsa3072Pub);
  auto signers = AllowedSigners::Parse(text, "allowed");
  REQUIRE(signers.ok());
  REQUIRE(signers->entries().size() == 3);
  const auto& e = signers->entries();
  CHECK(e[0].principals == "deploy@example.com");
  CHECK_FALSE(e[0].namespaces);
  CHECK(e[0].origin == "allowed:3");
  CHECK(e[1].principals == "ops team");
  CHECK(e[1].namespaces == std::optional<std::string>("s3-user-script,git"));
  CHECK(e[1].valid_after == 1704067200);
  CHECK(e[1].key.type() == KeyType::kEcdsaP521);
  CHECK(e[2].valid_before == 1893499200);
}

TEST_CASE("AllowedSigners names the line of a bad entry") {
  auto check = [](std::string text, ErrorCode code, std::string message) {
    auto r = AllowedSigners::Parse("# ok\n" + text, "f");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == code);
    CHECK(r.error().ToString() == "f:2: " + message);
  };
  check(Line("a cert-authority"), ErrorCode::kUnsupported, "cert-authority is not supported");
  check(Line("a namespaces=git"), ErrorCode::kInvalidInput, "namespaces value is not quoted");
  check(Line("a no-touch-required"), ErrorCode::kInvalidInput, "unknown option");
  check(Line("a valid-after=\"2024\""), ErrorCode::kInvalidInput, "invalid valid-after time");
  check(Line("a valid-after=\"20240101\",valid-before=\"20230101\""), ErrorCode::kInvalidInput,
        "valid-before is not after valid-after");
  check(Line("a namespaces=\"x\","), ErrorCode::kInvalidInput, "unexpected end of options");
  check("a\n", ErrorCode::kInvalidInput, "no key after the principals");
  check("a ssh-ed25519 AAAA\n", ErrorCode::kInvalidInput,
        "malformed public key: truncated key type");
  check("a ssh-dss AAAAB3NzaC1kc3M=\n", ErrorCode::kUnsupported,
        "key type \"ssh-dss\" is not supported");
}

TEST_CASE("MatchPatternList follows OpenSSH: globs, negation wins, case-sensitive") {
  CHECK(MatchPatternList("deploy@example.com", "*@example.com") == 1);
  CHECK(MatchPatternList("deploy@example.com", "dep?oy@*,x") == 1);
  CHECK(MatchPatternList("deploy@example.com", "!deploy@*,*") == -1);
  CHECK(MatchPatternList("Deploy@example.com", "deploy@example.com") == 0);
  CHECK(MatchPatternList("a", "b,c") == 0);
  CHECK(MatchPatternList("", "") == 0);
  CHECK(MatchPattern("aaaaaaaaaaaaaaaaaaaaaaaaaaaaab", "*a*a*a*a*a*a*a*a*a*b"));
  CHECK_FALSE(MatchPattern("aaaaaaaaaaaaaaaaaaaaaaaaaaaaab", "*a*a*a*a*a*a*a*a*a*c"));
}

TEST_CASE("ParseSignerTime reads the three lengths with an optional UTC marker") {
  CHECK(ParseSignerTime("20240101Z") == std::optional<int64_t>(1704067200));
  CHECK(ParseSignerTime("202401010130Z") == std::optional<int64_t>(1704072600));
  CHECK(ParseSignerTime("20240101013001UTC") == std::optional<int64_t>(1704072601));
  CHECK_FALSE(ParseSignerTime("2024010"));
  CHECK_FALSE(ParseSignerTime("20241301Z"));
  CHECK_FALSE(ParseSignerTime("2024-1-01"));
}

}  // namespace
}  // namespace s3us::trust

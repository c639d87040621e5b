#include "trust/verify.h"

#include <catch2/catch.hpp>

#include "tests/trust/test_keys.h"

namespace s3us::trust {
namespace {

using namespace testing;

constexpr int64_t kNow = 1767225600;  // 2026-01-01

AllowedSigners Signers(const std::string& line) {
  auto s = AllowedSigners::Parse(line + "\n", "allowed");
  REQUIRE(s.ok());
  return *s;
}

Result<Signer> Check(const AllowedSigners& signers, std::optional<std::string> principal,
                     std::string_view message = kMessage) {
  VerifyRequest req;
  req.message = message;
  req.armored_signature = kEd25519Signature;
  req.principal = std::move(principal);
  req.now = kNow;
  return VerifySignature(signers, req);
}

TEST_CASE("VerifySignature names the signer and the key fingerprint") {
  auto signers = Signers(std::string("ops@example.com,deploy@example.com ") + kEd25519Pub);
  auto any = Check(signers, std::nullopt);
  REQUIRE(any.ok());
  CHECK(any->principal == "ops@example.com,deploy@example.com");
  CHECK(any->fingerprint == kEd25519Fingerprint);
  CHECK(any->key_type == "ED25519");
  auto named = Check(signers, "deploy@example.com");
  REQUIRE(named.ok());
  CHECK(named->principal == "deploy@example.com");
}

TEST_CASE("VerifySignature refuses with a code per reason") {
  std::string key = kEd25519Pub;
  CHECK(Check(Signers("a " + key), std::nullopt, "tampered").error().code() ==
        ErrorCode::kIntegrity);
  CHECK(Check(Signers(std::string("a ") + kEcdsa521Pub), std::nullopt).error().message() ==
        std::string("key ") + kEd25519Fingerprint + " is not in allowed_signers");
  CHECK(Check(Signers("a " + key), "b").error().message() ==
        std::string("key ") + kEd25519Fingerprint + " may not sign as b");
  CHECK(Check(Signers("a valid-before=\"20250101Z\" " + key), std::nullopt).error().message() ==
        std::string("key ") + kEd25519Fingerprint + " has expired (allowed:1)");
  CHECK(Check(Signers("a valid-after=\"20270101Z\" " + key), std::nullopt).error().code() ==
        ErrorCode::kAccessDenied);
  CHECK(Check(Signers("a namespaces=\"git\" " + key), std::nullopt).error().code() ==
        ErrorCode::kAccessDenied);
  VerifyRequest req;
  req.message = kMessage;
  req.armored_signature = kEd25519Signature;
  req.sig_namespace = "git";
  CHECK(VerifySignature(Signers("a " + key), req).error().message() ==
        "signature namespace is not \"git\"");
}

TEST_CASE("With no principal asked for, a line that admits no one vouches for nothing") {
  // git's flow (find-principals, then verify -I) fails for these; "any listed key" did not.
  std::string key = kEd25519Pub;
  for (const char* principals : {"!*", "!deploy@example.com", "\"\""}) {
    CAPTURE(principals);
    Result<Signer> r = Check(Signers(std::string(principals) + " " + key), std::nullopt);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message() ==
          std::string("key ") + kEd25519Fingerprint + " may sign as no one (allowed:1)");
  }
  CHECK(Check(Signers("*@example.com,!x@example.com " + key), std::nullopt).ok());
}

TEST_CASE("A CR inside an allowed_signers line is no blank, as for ssh-keygen") {
  std::string key = kEd25519Pub;
  std::string type = key.substr(0, key.find(' ')), blob = key.substr(key.find(' ') + 1);
  CHECK_FALSE(AllowedSigners::Parse("p " + type + "\r" + blob + "\n", "allowed").ok());
  CHECK_FALSE(AllowedSigners::Parse("p " + key + "\rcomment\n", "allowed").ok());
  // The CR of a CRLF file ends the line, as before.
  CHECK(Check(Signers("p " + key + "\r"), std::nullopt).ok());
}

TEST_CASE("A later line may trust the key another line refuses") {
  std::string key = kEd25519Pub;
  auto signers = Signers("a valid-before=\"20250101Z\" " + key + "\na " + key);
  CHECK(Check(signers, "a").ok());
}

}  // namespace
}  // namespace s3us::trust

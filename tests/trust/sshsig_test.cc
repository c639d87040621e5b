#include "trust/sshsig.h"

#include <catch2/catch.hpp>

#include "tests/trust/test_keys.h"
#include "trust/ssh_key.h"
#include "trust/wire.h"

namespace s3us::trust {
namespace {

using namespace testing;

PublicKey Key(std::string_view text) {
  auto space = text.find(' ');
  auto key = PublicKey::FromText(text.substr(0, space), text.substr(space + 1));
  REQUIRE(key.ok());
  return *key;
}

TEST_CASE("ParseArmoredSignature reads what ssh-keygen -Y sign writes") {
  auto sig = ParseArmoredSignature(kEd25519Signature);
  REQUIRE(sig.ok());
  CHECK(sig->sig_namespace == "s3-user-script");
  CHECK(sig->hash_algorithm == "sha512");
  CHECK(sig->public_key == Key(kEd25519Pub).blob());
}

TEST_CASE("The signature verifies over the message and nothing else") {
  auto sig = ParseArmoredSignature(kEd25519Signature);
  REQUIRE(sig.ok());
  PublicKey key = Key(kEd25519Pub);
  CHECK(key.Verify(sig->signature, SignedData(*sig, kMessage)).ok());
  auto bad = key.Verify(sig->signature, SignedData(*sig, std::string(kMessage) + "x"));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code() == ErrorCode::kIntegrity);
}

TEST_CASE("ParseArmoredSignature refuses broken armour with typed errors") {
  std::string good = kEd25519Signature;
  CHECK(ParseArmoredSignature("").error().code() == ErrorCode::kInvalidInput);
  CHECK(ParseArmoredSignature(good.substr(0, good.size() / 2)).error().message() ==
        "malformed ssh signature: missing footer");
  CHECK(ParseArmoredSignature("-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n"
                              "-----END SSH SIGNATURE-----\n")
            .error()
            .message() == "malformed ssh signature: truncated");
  CHECK(ParseArmoredSignature("-----BEGIN SSH SIGNATURE-----\nQUJDREVGR0g=\n"
                              "-----END SSH SIGNATURE-----\n")
            .error()
            .message() == "malformed ssh signature: no SSHSIG magic");
  CHECK(ParseArmoredSignature(std::string(kMaxArmoredSignatureBytes + 1, 'A')).error().code() ==
        ErrorCode::kLimitExceeded);
}

TEST_CASE("ParseSignatureBlob refuses truncation, trailing bytes and other hashes") {
  auto blob = Base64Decode(std::string(kEd25519Signature)
                               .substr(30, std::string(kEd25519Signature).find("-----END") - 30));
  REQUIRE(blob);
  CHECK(ParseSignatureBlob(*blob).ok());
  for (size_t n = 0; n < blob->size(); n += 7) {
    CHECK_FALSE(ParseSignatureBlob(blob->substr(0, n)).ok());
  }
  CHECK(ParseSignatureBlob(*blob + "x").error().message() ==
        "malformed ssh signature: trailing bytes");
  std::string sha1 = *blob;
  sha1.replace(sha1.find("sha512"), 6, "sha384");
  CHECK(ParseSignatureBlob(sha1).error().code() == ErrorCode::kUnsupported);
}

TEST_CASE("Fingerprints and sizes are what ssh-keygen -l prints") {
  CHECK(Key(kEd25519Pub).Fingerprint() == kEd25519Fingerprint);
  CHECK(Key(kEcdsa521Pub).Fingerprint() == kEcdsa521Fingerprint);
  CHECK(Key(kRsa3072Pub).Fingerprint() == kRsa3072Fingerprint);
  CHECK(Key(kEcdsa521Pub).bits() == 521);
  CHECK(Key(kRsa3072Pub).bits() == 3072);
  CHECK(Key(kRsa3072Pub).short_name() == "RSA");
}

TEST_CASE("PublicKey refuses unknown types, mismatched names and sha-1 rsa signatures") {
  std::string blob;
  AppendString(&blob, "ssh-dss");
  CHECK(PublicKey::FromBlob(blob).error().code() == ErrorCode::kUnsupported);
  std::string_view ed = kEd25519Pub;
  CHECK(PublicKey::FromText("ssh-rsa", ed.substr(ed.find(' ') + 1)).error().code() ==
        ErrorCode::kInvalidInput);
  std::string sig;
  AppendString(&sig, "ssh-rsa");
  AppendString(&sig, std::string(384, 'x'));
  CHECK(Key(kRsa3072Pub).Verify(sig, "data").error().code() == ErrorCode::kUnsupported);
}

}  // namespace
}  // namespace s3us::trust

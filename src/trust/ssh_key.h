// SSH public keys as OpenSSH encodes them (RFC 4253 6.6, RFC 5656, RFC 8709) and the
// verification of one SSH signature blob over bytes, with OpenSSL EVP.
//
// Supported: ssh-ed25519; ecdsa-sha2-nistp256/384/521; ssh-rsa keys of 2048 to 16384 bits
// signing with rsa-sha2-256 or rsa-sha2-512. SHA-1 signatures ("ssh-rsa"), DSA, security
// keys (sk-*) and certificates are refused with kUnsupported. A PublicKey is immutable and
// safe to share between threads.
#ifndef S3US_TRUST_SSH_KEY_H_
#define S3US_TRUST_SSH_KEY_H_

#include <memory>
#include <string>
#include <string_view>

#include "core/error.h"

namespace s3us::trust {

enum class KeyType { kEd25519, kEcdsaP256, kEcdsaP384, kEcdsaP521, kRsa };

// The smallest RSA modulus we trust (OpenSSH itself still accepts 1024 bits).
inline constexpr int kMinRsaBits = 2048;
inline constexpr int kMaxRsaBits = 16384;

class PublicKey {
 public:
  // Parses a wire-format key blob. Errors: kInvalidInput (malformed, trailing bytes, point
  // off the curve), kUnsupported (other key types, RSA outside 2048..16384 bits).
  static Result<PublicKey> FromBlob(std::string_view blob);
  // Parses the "TYPE BASE64" text of an authorized_keys or allowed_signers line; the type
  // must name the blob's own type.
  static Result<PublicKey> FromText(std::string_view type, std::string_view base64);

  KeyType type() const { return type_; }
  // "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa", ...
  std::string_view type_name() const;
  // What `ssh-keygen -l` prints in parentheses: "ED25519", "ECDSA", "RSA".
  std::string_view short_name() const;
  int bits() const { return bits_; }
  const std::string& blob() const { return blob_; }
  // "SHA256:" + unpadded base64 of SHA-256(blob), as `ssh-keygen -l` prints it.
  std::string Fingerprint() const;

  // Checks an SSH signature blob (string algorithm, string signature) over `data`.
  // Errors: kIntegrity (does not verify, malformed signature, algorithm not this key's),
  // kUnsupported (ssh-rsa SHA-1 signatures).
  Status Verify(std::string_view signature_blob, std::string_view data) const;

  bool operator==(const PublicKey& other) const { return blob_ == other.blob_; }

 private:
  struct Pkey;
  PublicKey(KeyType type, std::string blob, std::shared_ptr<Pkey> pkey, int bits);

  KeyType type_;
  std::string blob_;
  std::shared_ptr<Pkey> pkey_;
  int bits_;
};

}  // namespace s3us::trust

#endif  // S3US_TRUST_SSH_KEY_H_

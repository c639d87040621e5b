// SSHSIG: the detached signature format of `ssh-keygen -Y sign` (OpenSSH PROTOCOL.sshsig),
// parsed from its armour with hard bounds, so hostile bytes give an error and nothing else.
//
//   -----BEGIN SSH SIGNATURE-----      blob = "SSHSIG" uint32(1) string(public key)
//   base64(blob), wrapped                      string(namespace) string(reserved)
//   -----END SSH SIGNATURE-----                string(hash algorithm) string(signature)
//
// The signature covers "SSHSIG" string(namespace) string(reserved) string(hash algorithm)
// string(H(message)), with H being SHA-256 or SHA-512 as named.
#ifndef S3US_TRUST_SSHSIG_H_
#define S3US_TRUST_SSHSIG_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.h"

namespace s3us::trust {

// Larger than any signature by an RSA-16384 key; a bigger .sig file is refused unread.
inline constexpr size_t kMaxArmoredSignatureBytes = 16 * 1024;

struct SshSignature {
  std::string public_key;      // wire-format key blob (parse with PublicKey::FromBlob)
  std::string sig_namespace;   // e.g. "s3-user-script"
  std::string hash_algorithm;  // "sha256" or "sha512" once parsed successfully
  std::string signature;       // wire-format signature blob: string(algorithm) string(bytes)
};

// Parses armoured text. Errors: kInvalidInput (no header/footer, bad base64, malformed or
// truncated blob, trailing bytes, newer version), kLimitExceeded (too large),
// kUnsupported (a hash algorithm other than sha256/sha512).
Result<SshSignature> ParseArmoredSignature(std::string_view text);
// Parses the decoded blob; same errors.
Result<SshSignature> ParseSignatureBlob(std::string_view blob);

// The message's digests under both hashes SSHSIG allows (raw bytes), for a message that
// streams past (a body written to a file) instead of one held whole in memory.
struct MessageDigests {
  std::string sha256;
  std::string sha512;
};

// Computes MessageDigests as the message streams in. Not thread-safe; never throws (after a
// failure inside OpenSSL, Finish gives empty digests, which no signature verifies).
class MessageHasher {
 public:
  MessageHasher();
  ~MessageHasher();
  MessageHasher(const MessageHasher&) = delete;
  MessageHasher& operator=(const MessageHasher&) = delete;
  void Update(std::string_view data);
  // Starts over (a retried transfer).
  void Reset();
  // REQUIRES: called once after the last Update (Reset() allows reuse).
  MessageDigests Finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The bytes the signer signed for `message` under this signature's namespace and hash.
std::string SignedData(const SshSignature& sig, std::string_view message);
// The same from the message's digests.
std::string SignedData(const SshSignature& sig, const MessageDigests& digests);

}  // namespace s3us::trust

#endif  // S3US_TRUST_SSHSIG_H_

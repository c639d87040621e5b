// Verifies a detached SSH signature (`ssh-keygen -Y sign`) over bytes against an
// allowed_signers list, with the verdict `ssh-keygen -Y verify` gives for the same inputs
// (differences, all refusals on our side, are listed in tests/trust/differential_test.cc).
//
// Order of checks, as OpenSSH: the signature parses, names the expected namespace and
// verifies with the key it carries; then some allowed_signers entry holds that key, lists
// the principal (or any principal when none is asked for), permits the namespace and is
// valid at `now`.
#ifndef S3US_TRUST_VERIFY_H_
#define S3US_TRUST_VERIFY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "trust/allowed_signers.h"
#include "trust/sshsig.h"

namespace s3us::trust {

// The namespace every signature of boot material must carry.
inline constexpr std::string_view kNamespace = "s3-user-script";

struct VerifyRequest {
  std::string_view message;
  // The message's digests instead of the message itself (a body that streamed to a file).
  const MessageDigests* digests = nullptr;
  std::string_view armored_signature;
  std::string_view sig_namespace = kNamespace;
  std::optional<std::string> principal;  // required signer, or any trusted one
  int64_t now = 0;                       // seconds since the epoch
};

// Who signed: for reports and plans. No secret in here (public key facts only).
struct Signer {
  std::string principal;    // the requested principal, else the entry's principal list
  std::string fingerprint;  // "SHA256:..."
  std::string key_type;     // "ED25519", "ECDSA", "RSA"
  int bits = 0;
};

// Errors (code, then the lower-case message the CLI prints after the object name):
//   kInvalidInput   malformed signature
//   kUnsupported    key type, hash algorithm, rsa sha-1, rsa below 2048 bits
//   kIntegrity      namespace mismatch, signature does not verify
//   kAccessDenied   key not in allowed_signers, principal not allowed for it, namespace not
//                   permitted, key not yet valid or expired
Result<Signer> VerifySignature(const AllowedSigners& signers, const VerifyRequest& request);

// Every check of VerifySignature but the signature's own over the message (which is not
// read): whether a body is worth fetching under this signature at all. A key no entry
// trusts (kAccessDenied) ends the fetch before the body is read.
Result<Signer> CheckSigner(const AllowedSigners& signers, const VerifyRequest& request);

}  // namespace s3us::trust

#endif  // S3US_TRUST_VERIFY_H_

#include "trust/verify.h"

#include "trust/sshsig.h"

namespace s3us::trust {
namespace {

Error Denied(std::string what) { return Error(ErrorCode::kAccessDenied, std::move(what)); }

// Why the best near-miss entry refused, for a message more useful than "not trusted".
struct Refusal {
  int rank = 0;  // higher = closer to acceptance
  std::string reason;
  void Offer(int r, std::string why) {
    if (r > rank) {
      rank = r;
      reason = std::move(why);
    }
  }
};

}  // namespace

namespace {

// The parsed signature of the request and the key in it, its namespace checked.
struct Parsed {
  SshSignature sig;
  PublicKey key;
};

Result<Parsed> ParseRequest(const VerifyRequest& request) {
  auto sig = ParseArmoredSignature(request.armored_signature);
  if (!sig.ok()) return std::move(sig).error();
  if (sig->sig_namespace != request.sig_namespace) {
    return Error(ErrorCode::kIntegrity,
                 "signature namespace is not \"" + std::string(request.sig_namespace) + "\"");
  }
  auto key = PublicKey::FromBlob(sig->public_key);
  if (!key.ok()) return std::move(key).error().WithContext("signing key");
  return Parsed{std::move(*sig), std::move(*key)};
}

// The allowed_signers entry that admits `key` for the request, as its signer.
Result<Signer> Admit(const AllowedSigners& signers, const PublicKey& key,
                     const VerifyRequest& request) {
  Refusal refusal{0, "key " + key.Fingerprint() + " is not in allowed_signers"};
  for (const AllowedSigner& entry : signers.entries()) {
    if (!(entry.key == key)) continue;
    if (request.principal && MatchPatternList(*request.principal, entry.principals) != 1) {
      refusal.Offer(1, "key " + key.Fingerprint() + " may not sign as " + *request.principal);
      continue;
    }
    if (!request.principal && !AdmitsSomeone(entry.principals)) {
      refusal.Offer(1, "key " + key.Fingerprint() + " may sign as no one (" + entry.origin + ")");
      continue;
    }
    if (entry.namespaces && MatchPatternList(request.sig_namespace, *entry.namespaces) != 1) {
      refusal.Offer(2, "key " + key.Fingerprint() + " may not sign namespace " +
                           std::string(request.sig_namespace) + " (" + entry.origin + ")");
      continue;
    }
    if (entry.valid_after != 0 && request.now < entry.valid_after) {
      refusal.Offer(3, "key " + key.Fingerprint() + " is not yet valid (" + entry.origin + ")");
      continue;
    }
    if (entry.valid_before != 0 && request.now > entry.valid_before) {
      refusal.Offer(3, "key " + key.Fingerprint() + " has expired (" + entry.origin + ")");
      continue;
    }
    return Signer{request.principal.value_or(entry.principals), key.Fingerprint(),
                  std::string(key.short_name()), key.bits()};
  }
  return Denied(refusal.reason);
}

}  // namespace

Result<Signer> VerifySignature(const AllowedSigners& signers, const VerifyRequest& request) {
  Result<Parsed> parsed = ParseRequest(request);
  if (!parsed.ok()) return std::move(parsed).error();
  std::string signed_data = request.digests != nullptr ? SignedData(parsed->sig, *request.digests)
                                                       : SignedData(parsed->sig, request.message);
  if (auto st = parsed->key.Verify(parsed->sig.signature, signed_data); !st.ok()) {
    return std::move(st).error();
  }
  return Admit(signers, parsed->key, request);
}

Result<Signer> CheckSigner(const AllowedSigners& signers, const VerifyRequest& request) {
  Result<Parsed> parsed = ParseRequest(request);
  if (!parsed.ok()) return std::move(parsed).error();
  return Admit(signers, parsed->key, request);
}

}  // namespace s3us::trust

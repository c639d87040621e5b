// SignedFetcher: when trust is configured (docs/signing.md) — an allowed_signers list given
// to the constructor, or FetchOptions::signers for one object — every object needs a
// detached SSH signature beside it, KEY.sig in the same bucket, namespace "s3-user-script",
// by a key one of those lists trusts (and by FetchOptions::signer's principal when set).
// Without trust the fetch passes through, unless a signer is asked for: that is refused
// (kInvalidInput), as a demanded signature that nothing could check. Wraps the real Fetcher; the
// .sig is fetched at the same time as the object (its latest version: a version id names one
// object, not its signature, and a signature that verifies over the pinned bytes is what
// matters), and the first of the two to fail ends the other (its deadline is stopped), so
// a failure is reported at once whatever the other transfer does.
//
// Errors: kIntegrity for a missing, malformed, wrong-namespace or bad signature,
// kAccessDenied for a key the list does not trust now (the caller names the object); the
// object's own fetch errors pass through unchanged. On success the signer ("ssh
// signature by PRINCIPAL (SHA256:... TYPE)") is added to Source::verified_by, which plans
// and reports show, and the signature's bytes are FetchedObject::signature. Thread-safe
// when the inner fetcher is.
#ifndef S3US_FETCH_SIGNED_FETCHER_H_
#define S3US_FETCH_SIGNED_FETCHER_H_

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "fetch/fetcher.h"
#include "trust/allowed_signers.h"
#include "trust/verify.h"

namespace s3us::fetch {

// Where an object's signature lives, from its parsed target. An S3 object (any spelling, a
// pre-signed https URL too): the same bucket and endpoint, key = the object's key + ".sig",
// no version and no query, fetched as an S3 object with the caller's credentials. Any
// other http(s) URL: ".sig" appended to its path, its query kept, its fragment dropped.
Target SignatureTarget(const Target& object);

class SignedFetcher : public Fetcher {
 public:
  // `signers` may be null (no configured trust); what is given must outlive the fetcher.
  SignedFetcher(Fetcher& inner, const trust::AllowedSigners* signers, Clock& clock)
      : inner_(inner), signers_(signers), clock_(clock) {}

  Result<FetchedObject> Fetch(const Target& target, const FetchOptions& options) override;
  using Fetcher::Fetch;
  Result<std::optional<std::string>> VerifyKept(std::string_view body, std::string_view signature,
                                                const FetchOptions& options) override;

 private:
  // The trust that applies to one object: the configured list, its own, or both.
  const trust::AllowedSigners* SignersFor(const FetchOptions& options,
                                          trust::AllowedSigners& both) const;
  // What is asked of `signature` for this object now (no message yet).
  trust::VerifyRequest Request(std::string_view signature, const FetchOptions& options) const;
  // "ssh signature by ..." when `signature` verifies `body` (or the body whose `digests`
  // are given) under `signers` now.
  Result<std::string> Verify(const trust::AllowedSigners& signers, std::string_view body,
                             std::string_view signature, const FetchOptions& options,
                             const trust::MessageDigests* digests = nullptr) const;

  Fetcher& inner_;
  const trust::AllowedSigners* signers_;
  Clock& clock_;
};

}  // namespace s3us::fetch

#endif  // S3US_FETCH_SIGNED_FETCHER_H_

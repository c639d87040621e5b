// Fetcher: the one entry point that turns an include URL into verified bytes.
//
// Routes by form: S3 in any spelling (s3://, arn:…:s3:, S3 https hosts) through the
// signed S3 client; other https/http through the plain transport (cloud-init's #include).
// Every route ends in the same streaming verifier (net/verifying_sink.h): complete length,
// the S3 checksum or else the single-part ETag when there is one, and the caller's SHA-256
// pin when given — no route can skip it, and a body without any of that evidence is
// refused.
// Thread-safe: the expander calls Fetch() from several threads at once.
#ifndef S3US_FETCH_FETCHER_H_
#define S3US_FETCH_FETCHER_H_

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/error.h"
#include "fetch/target.h"
#include "net/transport.h"
#include "trust/allowed_signers.h"
#include "userdata/part.h"

namespace s3us::fetch {

struct FetchOptions {
  std::optional<std::string> expected_sha256;  // hex pin over the stored bytes
  std::string version_id;                      // overrides ?versionId= when set
  uint64_t max_bytes = 0;                      // 0: no limit
  net::BodySink* sink = nullptr;               // null: body returned in memory
  // source.sha256 even when no check needs that digest (the plan and report list it);
  // `get` turns it off so a large body is hashed only as far as verification needs.
  bool record_sha256 = true;
  Deadline deadline;
  // Signatures (SignedFetcher): signers trusted for this object beside the configured ones
  // (an include part's own #s3-allowed-signer lines), and the principal that must have
  // signed it (signer= on the include line). Ignored by the other fetchers.
  const trust::AllowedSigners* signers = nullptr;
  std::optional<std::string> signer;
};

struct FetchedObject {
  std::string body;         // empty when a sink took it
  userdata::Source source;  // what was fetched and how it was verified
  std::string signature;    // the signature that verified it (SignedFetcher), else empty
};

class Fetcher {
 public:
  virtual ~Fetcher() = default;
  // Errors carry context "fetching <redacted url>" and the cause's code (kNotFound,
  // kAccessDenied, kIntegrity, kLimitExceeded, kTimeout, kTransport, kUnsupported…).
  virtual Result<FetchedObject> Fetch(const Target& target, const FetchOptions& options) = 0;
  // The signature check of bytes not fetched now (the include-once cache keeps a body
  // with the signature that verified it): nullopt when no trust applies to `options` (no
  // signature needed), the evidence ("ssh signature by ...") when `signature` verifies
  // `body` under the trust and signer that apply now, else an error. Pure virtual: a
  // decorator must pass it on, or kept bytes would skip the check its Fetch makes.
  virtual Result<std::optional<std::string>> VerifyKept(std::string_view body,
                                                        std::string_view signature,
                                                        const FetchOptions& options) = 0;
  // The same for a URL not resolved yet.
  Result<FetchedObject> Fetch(std::string_view url, const FetchOptions& options) {
    return Fetch(ResolveTarget(url), options);
  }
};

}  // namespace s3us::fetch

#endif  // S3US_FETCH_FETCHER_H_

// The fetch layer's part of verification. Bytes are checked by the one streaming verifier
// (net/verifying_sink.h) on every route; this adds what only the fetcher decides: the
// caller's sha256= pin as an expectation, and the fail-closed rule that a body is whole
// only on evidence (a length the server declared, a checksum or single-part ETag it sent,
// or the pin). The report never names evidence that was not checked.
#ifndef S3US_FETCH_VERIFY_H_
#define S3US_FETCH_VERIFY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "fetch/fetcher.h"
#include "net/verifying_sink.h"

namespace s3us::fetch {

using net::SizeLimitError;

// Lower-case 64-hex pin, or kInvalidInput.
Result<std::string> NormalizeSha256Pin(std::string_view pin);

// The pin of options.expected_sha256 as the verifier checks it ("sha256 mismatch: expected
// …, got …"; evidence "sha256 pin"), nothing without one, kInvalidInput for a bad pin.
Result<std::optional<net::Expectation>> PinExpectation(const FetchOptions& options);

// kIntegrity when verified_by is empty: the received size alone proves nothing (a
// close-delimited body cut short looks whole).
Status RequireEvidence(std::string_view verified_by);

}  // namespace s3us::fetch

#endif  // S3US_FETCH_VERIFY_H_

#include "fetch/verify.h"

#include <algorithm>
#include <cctype>

#include "core/strings.h"

namespace s3us::fetch {

Result<std::string> NormalizeSha256Pin(std::string_view pin) {
  std::string lower = ToLower(Trim(pin));
  bool hex = lower.size() == 64 && std::all_of(lower.begin(), lower.end(), [](char c) {
               return std::isxdigit(static_cast<unsigned char>(c)) != 0;
             });
  if (!hex) {
    return Error(ErrorCode::kInvalidInput,
                 "sha256 pin \"" + std::string(pin.substr(0, 80)) + "\" is not 64 hex digits");
  }
  return lower;
}

Result<std::optional<net::Expectation>> PinExpectation(const FetchOptions& options) {
  if (!options.expected_sha256) return std::optional<net::Expectation>();
  Result<std::string> pin = NormalizeSha256Pin(*options.expected_sha256);
  if (!pin.ok()) return pin.error();
  return std::optional<net::Expectation>(net::Expectation{.digest = net::Digest::kSha256,
                                                          .value = std::move(*pin),
                                                          .label = "sha256",
                                                          .evidence = "sha256 pin"});
}

Status RequireEvidence(std::string_view verified_by) {
  if (!Trim(verified_by).empty()) return Ok();
  return Error(ErrorCode::kIntegrity,
               "no evidence the body is complete (no Content-Length, checksum or single-part "
               "ETag from the server, and no sha256= pin)");
}

}  // namespace s3us::fetch

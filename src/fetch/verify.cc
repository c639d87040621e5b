#include "fetch/verify.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "core/strings.h"

namespace s3us::fetch {

VerifyingSink::VerifyingSink(uint64_t max_bytes, net::BodySink* forward)
    : max_bytes_(max_bytes), forward_(forward) {}

Status VerifyingSink::Write(std::string_view chunk) {
  if (max_bytes_ != 0 && bytes_ + chunk.size() > max_bytes_) return SizeLimitError(max_bytes_);
  bytes_ += chunk.size();
  hasher_.Update(chunk.data(), chunk.size());
  if (forward_ != nullptr) return forward_->Write(chunk);
  body_.append(chunk);
  return Ok();
}

Status VerifyingSink::Reset() {
  bytes_ = 0;
  body_.clear();
  hasher_.Reset();
  if (forward_ != nullptr) return forward_->Reset();
  return Ok();
}

std::string VerifyingSink::FinishSha256() { return Hex(hasher_.FinishSha256()); }

Error SizeLimitError(uint64_t max_bytes) {
  return Error(ErrorCode::kLimitExceeded, "object exceeds the size limit of " +
                                              HumanBytes(max_bytes) + " (" +
                                              std::to_string(max_bytes) + " bytes)");
}

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

namespace {

void AddCheck(std::vector<std::string>& checks, std::string_view check) {
  std::string c(Trim(check));
  if (!c.empty() && std::find(checks.begin(), checks.end(), c) == checks.end()) {
    checks.push_back(std::move(c));
  }
}

}  // namespace

Result<std::string> VerifyBody(const ReceivedBody& body, const FetchOptions& options) {
  std::vector<std::string> checks;
  if (body.declared_size) {
    if (*body.declared_size != body.bytes) {
      return Error(ErrorCode::kIntegrity, "incomplete body: expected " +
                                              std::to_string(*body.declared_size) +
                                              " bytes, received " + std::to_string(body.bytes))
          .set_retryable(true);
    }
    AddCheck(checks, "content-length");
  }
  for (std::string_view check : Split(body.upstream_verified_by, ',')) AddCheck(checks, check);
  if (options.max_bytes != 0 && body.bytes > options.max_bytes) {
    return SizeLimitError(options.max_bytes);
  }
  if (options.expected_sha256) {
    Result<std::string> pin = NormalizeSha256Pin(*options.expected_sha256);
    if (!pin.ok()) return pin.error();
    if (*pin != body.sha256) {
      return Error(ErrorCode::kIntegrity,
                   "sha256 mismatch: expected " + *pin + ", got " + body.sha256);
    }
    AddCheck(checks, "sha256 pin");
  }
  // The received size alone proves nothing: a close-delimited body cut short looks whole.
  if (checks.empty()) {
    return Error(ErrorCode::kIntegrity,
                 "no evidence the body is complete (no Content-Length, checksum or single-part "
                 "ETag from the server, and no sha256= pin)");
  }
  std::string joined;
  for (const std::string& c : checks) {
    if (!joined.empty()) joined += ", ";
    joined += c;
  }
  return joined;
}

}  // namespace s3us::fetch

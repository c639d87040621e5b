// The verification tail every fetch route ends in: the body is counted and hashed as it
// arrives (VerifyingSink), then VerifyBody() checks the declared length, the size limit and
// the caller's SHA-256 pin. Routes differ only in how the bytes arrive; none can skip this.
// Not responsible for S3's own checksums (the S3 client checks those and says so).
#ifndef S3US_FETCH_VERIFY_H_
#define S3US_FETCH_VERIFY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/crypto.h"
#include "core/error.h"
#include "fetch/fetcher.h"
#include "net/transport.h"

namespace s3us::fetch {

// Counts, hashes and size-limits a body, keeping it in memory or forwarding it to the
// caller's sink. One per fetch; not thread-safe.
class VerifyingSink : public net::BodySink {
 public:
  // max_bytes 0: no limit. forward null: the body is kept and returned by TakeBody().
  VerifyingSink(uint64_t max_bytes, net::BodySink* forward);

  Status Write(std::string_view chunk) override;
  Status Reset() override;
  void ExpectLength(uint64_t bytes) override {
    if (forward_ != nullptr) forward_->ExpectLength(bytes);
  }

  uint64_t bytes() const { return bytes_; }
  std::string TakeBody() { return std::move(body_); }
  // Hex SHA-256 of everything written since the last Reset(). Call once.
  std::string FinishSha256();

 private:
  uint64_t max_bytes_;
  net::BodySink* forward_;
  uint64_t bytes_ = 0;
  std::string body_;
  StreamHasher hasher_;
};

// What a route received and what the far side claimed about it.
struct ReceivedBody {
  uint64_t bytes = 0;
  std::string sha256;                     // hex, computed by VerifyingSink
  std::optional<uint64_t> declared_size;  // a Content-Length the server sent, nothing else
  std::string upstream_verified_by;       // checks the S3 client already made
};

// Returns the verified_by list ("content-length, x-amz-checksum-sha256, sha256 pin"), never
// empty: a body is whole only on evidence (a length the server declared, a check the client
// made, or the pin). Errors: kIntegrity (short or long body; "sha256 mismatch: expected …,
// got …"; no evidence at all),
// kLimitExceeded (over options.max_bytes), kInvalidInput (a pin that is not 64 hex digits).
Result<std::string> VerifyBody(const ReceivedBody& body, const FetchOptions& options);

// Lower-case 64-hex pin, or kInvalidInput.
Result<std::string> NormalizeSha256Pin(std::string_view pin);

// "object exceeds the size limit of 64 MiB (67108864 bytes)": one wording for every route.
Error SizeLimitError(uint64_t max_bytes);

}  // namespace s3us::fetch

#endif  // S3US_FETCH_VERIFY_H_

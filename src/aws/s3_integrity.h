// Integrity of a GetObject body: hashes the bytes as they stream (SHA-256, MD5, CRC32),
// enforces the size limit, and checks them against what S3 declared (Content-Length,
// x-amz-checksum-sha256 / -crc32, the ETag when it is a plain MD5).
//
// Checksums S3 sends but we cannot check (CRC32C, CRC64NVME, SHA1, composite multipart
// values) are recorded, not verified. Not thread-safe (one sink per request).
#ifndef S3US_AWS_S3_INTEGRITY_H_
#define S3US_AWS_S3_INTEGRITY_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/crypto.h"
#include "core/error.h"
#include "net/transport.h"

namespace s3us::aws {

// Wraps the caller's sink (or collects the body itself when there is none).
class HashingSink : public net::BodySink {
 public:
  // `inner` may be null; `max_bytes` 0 means no limit.
  HashingSink(net::BodySink* inner, uint64_t max_bytes);

  // kLimitExceeded once more than max_bytes arrive; errors of the inner sink pass through.
  Status Write(std::string_view chunk) override;
  // Starts over; forwards to the inner sink.
  Status Reset() override;
  void ExpectLength(uint64_t bytes) override {
    if (inner_ != nullptr) inner_->ExpectLength(bytes);
  }

  uint64_t bytes() const { return bytes_; }
  std::string TakeBody() { return std::move(body_); }
  // REQUIRES: called once, after the last Write.
  void Finish();
  const std::string& sha256_hex() const { return sha256_hex_; }
  const std::string& sha256_base64() const { return sha256_base64_; }
  const std::string& md5_hex() const { return md5_hex_; }
  const std::string& crc32_base64() const { return crc32_base64_; }

 private:
  net::BodySink* inner_;
  uint64_t max_bytes_;
  uint64_t bytes_ = 0;
  std::string body_;
  StreamHasher hasher_;
  unsigned long crc_ = 0;
  std::string sha256_hex_, sha256_base64_, md5_hex_, crc32_base64_;
};

struct IntegrityReport {
  // "content-length, x-amz-checksum-sha256, etag-md5": what was checked.
  std::string verified_by;
  // Every x-amz-checksum-* header S3 sent (name without the prefix, value as sent).
  std::vector<std::pair<std::string, std::string>> checksums;
};

// Compares a finished sink with the response's headers. kIntegrity (naming the header and
// both values) on any mismatch.
Result<IntegrityReport> VerifyS3Body(const net::Response& response, const HashingSink& sink);

}  // namespace s3us::aws

#endif  // S3US_AWS_S3_INTEGRITY_H_

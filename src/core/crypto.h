// SHA-256, HMAC-SHA256, SHA-1, MD5 and hex over OpenSSL, CRC32 over zlib, CRC32C
// and CRC64/NVME from crc.h (src/trust adds signature checks).
#ifndef S3US_CORE_CRYPTO_H_
#define S3US_CORE_CRYPTO_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace s3us {

using Sha256Digest = std::array<uint8_t, 32>;

Sha256Digest Sha256(std::string_view data);
Sha256Digest HmacSha256(std::string_view key, std::string_view data);
std::array<uint8_t, 16> Md5(std::string_view data);

// Lower-case hex.
std::string Hex(const uint8_t* data, size_t size);
template <size_t N>
std::string Hex(const std::array<uint8_t, N>& bytes) {
  return Hex(bytes.data(), bytes.size());
}
inline std::string Sha256Hex(std::string_view data) { return Hex(Sha256(data)); }

// Standard base64 with padding (for S3 checksum headers).
std::string Base64Encode(const uint8_t* data, size_t size);

// Which digests a StreamHasher computes: only what a check needs (each costs a pass over
// every byte).
struct DigestSet {
  bool sha256 = false;
  bool md5 = false;
  bool crc32 = false;
  bool sha1 = false;
  bool crc32c = false;
  bool crc64nvme = false;
  bool any() const { return sha256 || md5 || crc32 || sha1 || crc32c || crc64nvme; }
};

// Incremental digests for streamed bodies, computing only the chosen ones. Not thread-safe.
class StreamHasher {
 public:
  explicit StreamHasher(DigestSet digests = {.sha256 = true});
  ~StreamHasher();
  StreamHasher(const StreamHasher&) = delete;
  StreamHasher& operator=(const StreamHasher&) = delete;

  void Update(const void* data, size_t size);
  // Starts over (a retried transfer), computing `digests` from now on.
  void Reset(DigestSet digests);
  void Reset() { Reset(digests_); }
  const DigestSet& digests() const { return digests_; }
  // REQUIRES: that digest was chosen; called once after the last Update (Reset() allows
  // reuse).
  Sha256Digest FinishSha256();
  std::array<uint8_t, 16> FinishMd5();
  std::array<uint8_t, 4> FinishCrc32();  // big-endian, as S3's x-amz-checksum-crc32
  std::array<uint8_t, 20> FinishSha1();
  std::array<uint8_t, 4> FinishCrc32c();     // big-endian, as x-amz-checksum-crc32c
  std::array<uint8_t, 8> FinishCrc64Nvme();  // big-endian, as x-amz-checksum-crc64nvme

 private:
  struct Impl;
  DigestSet digests_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace s3us

#endif  // S3US_CORE_CRYPTO_H_

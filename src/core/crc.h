// CRC-32C (Castagnoli) and CRC-64/NVME: the checksums S3 declares besides CRC-32, SHA-1 and
// SHA-256 (CRC-64/NVME is its default for new objects since 2024). Neither OpenSSL nor
// zlib has them. Like zlib's crc32(), each takes the running value (0 to start) and
// returns the next, so a streamed body is checked piece by piece. Pure. On x86-64 CPUs with
// SSE4.2 and PCLMULQDQ both run on those instructions (about 20 GB/s from cache, 15 times the
// portable tables); elsewhere on slicing-by-8 tables (crc_internal.h).
#ifndef S3US_CORE_CRC_H_
#define S3US_CORE_CRC_H_

#include <cstddef>
#include <cstdint>

namespace s3us {

// Reflected polynomial 0x82F63B78, initial and final XOR all ones; "123456789" → 0xE3069283.
uint32_t Crc32c(uint32_t crc, const void* data, size_t size);
// Reflected polynomial 0x9A6C9329AC4BC9B5, initial and final XOR all ones;
// "123456789" → 0xAE8B14860A799888.
uint64_t Crc64Nvme(uint64_t crc, const void* data, size_t size);

}  // namespace s3us

#endif  // S3US_CORE_CRC_H_

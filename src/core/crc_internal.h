// The two implementations behind Crc32c() and Crc64Nvme(), exposed so that tests compare
// them on the machine they run on. The portable one (slicing-by-8) is the reference and the
// fallback; the x86-64 one uses the CRC32 instruction (SSE4.2) and carry-less multiplication
// (PCLMULQDQ), chosen at run time, so the build keeps its baseline flags.
#ifndef S3US_CORE_CRC_INTERNAL_H_
#define S3US_CORE_CRC_INTERNAL_H_

#include <cstddef>
#include <cstdint>

// The instruction paths exist on x86-64 only; S3US_CRC_PORTABLE_ONLY leaves them out there
// too, which is how the build of other architectures is compiled and tested on this one.
#if defined(__x86_64__) && !defined(S3US_CRC_PORTABLE_ONLY)
#define S3US_CRC_X86 1
#endif

namespace s3us::crc_detail {

// Same contract as Crc32c()/Crc64Nvme(): running value in (0 to start), next value out.
uint32_t Crc32cPortable(uint32_t crc, const void* data, size_t size);
uint64_t Crc64NvmePortable(uint64_t crc, const void* data, size_t size);

// The raw register step of the portable CRC-64/NVME (no inversions): what the folding path
// uses for its last state and the bytes after the last 16-byte lane.
uint64_t Crc64NvmeRegister(uint64_t reg, const unsigned char* p, size_t size);

#if defined(S3US_CRC_X86)
// True when this CPU has the instructions the functions below need.
bool HasSse42();
bool HasClmul();
// Only call when the matching Has*() is true.
uint32_t Crc32cSse42(uint32_t crc, const void* data, size_t size);
uint64_t Crc64NvmeClmul(uint64_t crc, const void* data, size_t size);
#endif

}  // namespace s3us::crc_detail

#endif  // S3US_CORE_CRC_INTERNAL_H_

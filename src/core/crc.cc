#include "core/crc.h"

#include <array>
#include <bit>
#include <cstring>

#include "core/crc_internal.h"

namespace s3us {
namespace {

// The eight bytes are read as one little-endian word (x86-64, arm64).
static_assert(std::endian::native == std::endian::little);

// Slicing-by-8 tables: table[k][b] is the CRC of byte b followed by k zero bytes, so eight
// input bytes are folded in with eight lookups instead of eight shifts each.
template <typename T, T kPoly>
constexpr std::array<std::array<T, 256>, 8> MakeTables() {
  std::array<std::array<T, 256>, 8> t{};
  for (unsigned b = 0; b < 256; ++b) {
    T c = b;
    for (int i = 0; i < 8; ++i) c = (c & 1) != 0 ? (c >> 1) ^ kPoly : c >> 1;
    t[0][b] = c;
  }
  for (unsigned b = 0; b < 256; ++b) {
    for (int k = 1; k < 8; ++k) t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xff];
  }
  return t;
}

// The register step without the inversions at either end.
template <typename T, T kPoly>
T Register(T c, const unsigned char* p, size_t size) {
  static constexpr auto kTable = MakeTables<T, kPoly>();
  while (size >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    uint64_t x = static_cast<uint64_t>(c) ^ word;
    c = kTable[7][x & 0xff] ^ kTable[6][(x >> 8) & 0xff] ^ kTable[5][(x >> 16) & 0xff] ^
        kTable[4][(x >> 24) & 0xff] ^ kTable[3][(x >> 32) & 0xff] ^ kTable[2][(x >> 40) & 0xff] ^
        kTable[1][(x >> 48) & 0xff] ^ kTable[0][x >> 56];
    p += 8;
    size -= 8;
  }
  while (size-- > 0) c = (c >> 8) ^ kTable[0][(c ^ *p++) & 0xff];
  return c;
}

constexpr uint32_t kCrc32cPoly = 0x82F63B78u;
constexpr uint64_t kCrc64NvmePoly = 0x9A6C9329AC4BC9B5ull;

using Crc32cFn = uint32_t (*)(uint32_t, const void*, size_t);
using Crc64Fn = uint64_t (*)(uint64_t, const void*, size_t);

// Chosen once per process: the CPU does not change under us.
Crc32cFn PickCrc32c() {
#if defined(S3US_CRC_X86)
  if (crc_detail::HasSse42()) return crc_detail::Crc32cSse42;
#endif
  return crc_detail::Crc32cPortable;
}

Crc64Fn PickCrc64Nvme() {
#if defined(S3US_CRC_X86)
  if (crc_detail::HasClmul()) return crc_detail::Crc64NvmeClmul;
#endif
  return crc_detail::Crc64NvmePortable;
}

}  // namespace

namespace crc_detail {

uint32_t Crc32cPortable(uint32_t crc, const void* data, size_t size) {
  return ~Register<uint32_t, kCrc32cPoly>(~crc, static_cast<const unsigned char*>(data), size);
}

uint64_t Crc64NvmePortable(uint64_t crc, const void* data, size_t size) {
  return ~Crc64NvmeRegister(~crc, static_cast<const unsigned char*>(data), size);
}

uint64_t Crc64NvmeRegister(uint64_t reg, const unsigned char* p, size_t size) {
  return Register<uint64_t, kCrc64NvmePoly>(reg, p, size);
}

}  // namespace crc_detail

uint32_t Crc32c(uint32_t crc, const void* data, size_t size) {
  static const Crc32cFn fn = PickCrc32c();
  return fn(crc, data, size);
}

uint64_t Crc64Nvme(uint64_t crc, const void* data, size_t size) {
  static const Crc64Fn fn = PickCrc64Nvme();
  return fn(crc, data, size);
}

}  // namespace s3us

#include "core/crc.h"

#include <array>
#include <bit>
#include <cstring>

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

template <typename T, T kPoly>
T Update(T crc, const void* data, size_t size) {
  static constexpr auto kTable = MakeTables<T, kPoly>();
  const auto* p = static_cast<const unsigned char*>(data);
  T c = ~crc;
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
  return ~c;
}

}  // namespace

uint32_t Crc32c(uint32_t crc, const void* data, size_t size) {
  return Update<uint32_t, 0x82F63B78u>(crc, data, size);
}

uint64_t Crc64Nvme(uint64_t crc, const void* data, size_t size) {
  return Update<uint64_t, 0x9A6C9329AC4BC9B5ull>(crc, data, size);
}

}  // namespace s3us

// The x86-64 paths of crc_internal.h: CRC-64/NVME by carry-less multiplication (folding eight
// 128-bit lanes at a time, then a Barrett reduction), CRC-32C by the SSE4.2 CRC32 instruction
// on three interleaved streams. Each function carries its own target attribute, so the rest
// of the build keeps the baseline instruction set and this code runs only where CPUID says so.
#include "core/crc_internal.h"

#if defined(S3US_CRC_X86)

#include <immintrin.h>

#include <cstring>

namespace s3us::crc_detail {
namespace {

constexpr uint32_t kCrc32cPoly = 0x82F63B78u;
constexpr uint64_t kCrc64NvmePoly = 0x9A6C9329AC4BC9B5ull;

// x^n mod P in the reflected domain, where bit i of a W-bit value is the coefficient of
// x^(W-1-i): multiplying by x is a right shift, and the x^W that falls off bit 0 reduces to
// the reflected polynomial.
template <typename T, T kPoly>
constexpr T XPowMod(unsigned n) {
  T r = T{1} << (sizeof(T) * 8 - 1);  // x^0
  for (unsigned i = 0; i < n; ++i) r = (r >> 1) ^ ((r & 1) != 0 ? kPoly : 0);
  return r;
}

constexpr uint64_t BitReverse(uint64_t v) {
  uint64_t r = 0;
  for (int i = 0; i < 64; ++i) r |= ((v >> i) & 1) << (63 - i);
  return r;
}

// floor(x^128 / P) without its x^64 term, reflected: the Barrett constant. Long division in
// the normal domain, where P = x^64 + BitReverse(kCrc64NvmePoly).
constexpr uint64_t BarrettMu() {
  const uint64_t low = BitReverse(kCrc64NvmePoly);
  uint64_t window = 0;  // the remainder's 64 coefficients below the leading one
  bool lead = true;     // the remainder's coefficient of x^d, d from 128 down to 64
  uint64_t quotient = 0;
  for (int d = 128; d >= 64; --d) {
    if (lead) {
      if (d < 128) quotient |= uint64_t{1} << (d - 64);
      window ^= low;
    }
    lead = (window >> 63) != 0;
    window <<= 1;
  }
  return BitReverse(quotient);
}

// A carry-less product of two reflected 64-bit values is the reflected 128-bit product times
// x, so each constant below is one power short of the shift it stands for.
constexpr uint64_t Pow64(unsigned n) { return XPowMod<uint64_t, kCrc64NvmePoly>(n); }

// Folding a 128-bit lane forward by D bits multiplies its first (low) half by x^(D+64) and
// its second by x^D: constants x^(D+63) and x^(D-1) mod P.
struct FoldConstants {
  uint64_t first, second;
};
constexpr FoldConstants kFold128{Pow64(128 + 63), Pow64(128 - 1)};     // to the next lane
constexpr FoldConstants kFold1024{Pow64(1024 + 63), Pow64(1024 - 1)};  // eight lanes on
constexpr uint64_t kMu = BarrettMu();

__attribute__((target("pclmul,sse4.1"))) inline __m128i Load(const unsigned char* p) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}

__attribute__((target("pclmul,sse4.1"))) inline __m128i Fold(__m128i x, __m128i k, __m128i next) {
  return _mm_xor_si128(
      _mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11)), next);
}

__attribute__((target("pclmul,sse4.1"))) inline __m128i Constants(FoldConstants k) {
  return _mm_set_epi64x(static_cast<long long>(k.second), static_cast<long long>(k.first));
}

// The register of a 128-bit state S with nothing after it: S·x^64 mod P. The first half A
// is folded over the second (A·x^128 ≡ A·(x^127 mod P)·x), leaving T of degree < 128; then
// Barrett: q = floor(T / P) from the top half of T and mu, and T mod P = T + q·P, whose low
// 64 coefficients are all that remain. The shifts undo the extra factor x of each product.
__attribute__((target("pclmul,sse4.1"))) uint64_t Reduce(__m128i x) {
  const __m128i k = _mm_set_epi64x(0, static_cast<long long>(kFold128.second));
  x = _mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_srli_si128(x, 8));
  const auto a = static_cast<uint64_t>(_mm_cvtsi128_si64(x));
  const auto b = static_cast<uint64_t>(_mm_extract_epi64(x, 1));
  const __m128i mu = _mm_set_epi64x(0, static_cast<long long>(kMu));
  const __m128i c0 = _mm_clmulepi64_si128(_mm_cvtsi64_si128(static_cast<long long>(a)), mu, 0);
  const uint64_t q = a ^ (static_cast<uint64_t>(_mm_cvtsi128_si64(c0)) << 1);
  const __m128i poly = _mm_set_epi64x(0, static_cast<long long>(kCrc64NvmePoly));
  const __m128i c1 = _mm_clmulepi64_si128(_mm_cvtsi64_si128(static_cast<long long>(q)), poly, 0);
  const auto lo = static_cast<uint64_t>(_mm_cvtsi128_si64(c1));
  const auto hi = static_cast<uint64_t>(_mm_extract_epi64(c1, 1));
  return b ^ (hi << 1) ^ (lo >> 63);
}

// CRC-32C on three streams: the CRC32 instruction has a latency of three cycles and a
// throughput of one, so three independent registers keep it busy. The streams are joined by
// shifting a register c over N zero bytes: c·x^(8N) mod P, as one carry-less product with
// x^(8N-33) reduced by the CRC32 instruction itself (33: the product's extra factor x, and
// the x^32 by which the instruction multiplies its 64-bit operand).
constexpr size_t kStream = 1024;  // bytes per stream per round
constexpr uint64_t kShift1 = XPowMod<uint32_t, kCrc32cPoly>(8 * kStream - 33);
constexpr uint64_t kShift2 = XPowMod<uint32_t, kCrc32cPoly>(16 * kStream - 33);

__attribute__((target("sse4.2,pclmul"))) uint64_t Shift(uint64_t c, uint64_t k) {
  const __m128i product = _mm_clmulepi64_si128(_mm_cvtsi64_si128(static_cast<long long>(c)),
                                               _mm_cvtsi64_si128(static_cast<long long>(k)), 0);
  return _mm_crc32_u64(0, static_cast<uint64_t>(_mm_cvtsi128_si64(product)));
}

inline uint64_t Word(const unsigned char* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

}  // namespace

bool HasSse42() { return __builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("pclmul"); }

bool HasClmul() { return __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1"); }

__attribute__((target("sse4.2,pclmul"))) uint32_t Crc32cSse42(uint32_t crc, const void* data,
                                                              size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  uint64_t c = static_cast<uint32_t>(~crc);
  for (; size >= 3 * kStream; size -= 3 * kStream, p += 3 * kStream) {
    uint64_t c1 = 0;
    uint64_t c2 = 0;
    for (size_t i = 0; i < kStream; i += 8) {
      c = _mm_crc32_u64(c, Word(p + i));
      c1 = _mm_crc32_u64(c1, Word(p + kStream + i));
      c2 = _mm_crc32_u64(c2, Word(p + 2 * kStream + i));
    }
    c = Shift(c, kShift2) ^ Shift(c1, kShift1) ^ c2;
  }
  for (; size >= 8; size -= 8, p += 8) c = _mm_crc32_u64(c, Word(p));
  auto c32 = static_cast<uint32_t>(c);
  for (; size > 0; --size) c32 = _mm_crc32_u8(c32, *p++);
  return ~c32;
}

__attribute__((target("pclmul,sse4.1"))) uint64_t Crc64NvmeClmul(uint64_t crc, const void* data,
                                                                 size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  const uint64_t reg = ~crc;
  if (size < 16) return ~Crc64NvmeRegister(reg, p, size);
  // The running register enters as the first 64 message bits, as in the table method.
  const __m128i first = _mm_cvtsi64_si128(static_cast<long long>(reg));
  __m128i x;
  if (size >= 128) {
    __m128i lanes[8];
    for (int i = 0; i < 8; ++i) lanes[i] = Load(p + 16 * i);
    lanes[0] = _mm_xor_si128(lanes[0], first);
    const __m128i k1024 = Constants(kFold1024);
    for (p += 128, size -= 128; size >= 128; p += 128, size -= 128) {
      for (int i = 0; i < 8; ++i) lanes[i] = Fold(lanes[i], k1024, Load(p + 16 * i));
    }
    const __m128i k128 = Constants(kFold128);
    x = lanes[0];
    for (int i = 1; i < 8; ++i) x = Fold(x, k128, lanes[i]);
  } else {
    x = _mm_xor_si128(Load(p), first);
    p += 16;
    size -= 16;
  }
  const __m128i k128 = Constants(kFold128);
  for (; size >= 16; p += 16, size -= 16) x = Fold(x, k128, Load(p));
  return ~Crc64NvmeRegister(Reduce(x), p, size);
}

}  // namespace s3us::crc_detail

#endif  // defined(S3US_CRC_X86)

#include "core/crc.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <string>

#include "core/crc_internal.h"

namespace s3us {
namespace {

constexpr uint32_t kCrc32cPoly = 0x82F63B78u;
constexpr uint64_t kCrc64NvmePoly = 0x9A6C9329AC4BC9B5ull;

// One bit at a time, straight from the definition: the tables and the eight-byte steps of
// crc.cc must agree with it at every length and split.
template <typename T>
T BitwiseCrc(T poly, const std::string& data) {
  T c = ~T{0};
  for (unsigned char byte : data) {
    c ^= byte;
    for (int i = 0; i < 8; ++i) c = (c & 1) != 0 ? (c >> 1) ^ poly : c >> 1;
  }
  return ~c;
}

std::string RandomBytes(size_t n, std::mt19937& rng) {
  std::string data(n, '\0');
  for (char& c : data) c = static_cast<char>(rng());
  return data;
}

TEST_CASE("CRC32C and CRC64/NVME give the catalogued check values") {
  const std::string check = "123456789";
  CHECK(Crc32c(0, check.data(), check.size()) == 0xE3069283u);
  CHECK(Crc64Nvme(0, check.data(), check.size()) == 0xAE8B14860A799888ull);
  CHECK(crc_detail::Crc32cPortable(0, check.data(), check.size()) == 0xE3069283u);
  CHECK(crc_detail::Crc64NvmePortable(0, check.data(), check.size()) == 0xAE8B14860A799888ull);
  CHECK(Crc32c(0, "", 0) == 0);
  CHECK(Crc64Nvme(0, "", 0) == 0);
}

TEST_CASE("CRC32C and CRC64/NVME agree with the bitwise definition at any length and split") {
  std::mt19937 rng(7);
  for (size_t n = 0; n < 300; ++n) {
    const std::string data = RandomBytes(n, rng);
    size_t cut = n == 0 ? 0 : rng() % n;
    INFO("length " << n << ", split at " << cut);
    uint32_t c32 = Crc32c(Crc32c(0, data.data(), cut), data.data() + cut, n - cut);
    uint64_t c64 = Crc64Nvme(Crc64Nvme(0, data.data(), cut), data.data() + cut, n - cut);
    CHECK(c32 == BitwiseCrc<uint32_t>(kCrc32cPoly, data));
    CHECK(c64 == BitwiseCrc<uint64_t>(kCrc64NvmePoly, data));
    CHECK(crc_detail::Crc32cPortable(0, data.data(), n) == c32);
    CHECK(crc_detail::Crc64NvmePortable(0, data.data(), n) == c64);
  }
}

// The chosen path (the CPU's instructions where it has them) against the portable one: every
// length across the block sizes of both (8 lanes of 16 bytes; 3 streams of 1 KiB), every
// start within a word, and a running value that is not the initial one.
TEST_CASE("CRC32C and CRC64/NVME equal the portable path at every length and alignment") {
  std::mt19937 rng(11);
  const std::string data = RandomBytes(3 * 1024 + 200 + 16, rng);
  for (size_t start = 0; start < 16; ++start) {
    for (size_t n = 0; start + n <= data.size(); ++n) {
      const char* p = data.data() + start;
      INFO("start " << start << ", length " << n);
      REQUIRE(Crc32c(0x1234567u, p, n) == crc_detail::Crc32cPortable(0x1234567u, p, n));
      REQUIRE(Crc64Nvme(0x123456789ull, p, n) ==
              crc_detail::Crc64NvmePortable(0x123456789ull, p, n));
    }
  }
}

TEST_CASE("CRC32C and CRC64/NVME of a stream split at every position equal the whole") {
  std::mt19937 rng(13);
  const std::string data = RandomBytes(3 * 3 * 1024 + 77, rng);
  const uint32_t whole32 = crc_detail::Crc32cPortable(0, data.data(), data.size());
  const uint64_t whole64 = crc_detail::Crc64NvmePortable(0, data.data(), data.size());
  for (size_t cut = 0; cut <= data.size(); ++cut) {
    INFO("split at " << cut);
    const char* rest = data.data() + cut;
    REQUIRE(Crc32c(Crc32c(0, data.data(), cut), rest, data.size() - cut) == whole32);
    REQUIRE(Crc64Nvme(Crc64Nvme(0, data.data(), cut), rest, data.size() - cut) == whole64);
  }
}

TEST_CASE("CRC32C and CRC64/NVME of long runs of equal bytes equal the portable path") {
  // All zeros and all ones stress the folding constants without help from random data.
  for (char fill : {'\0', '\xff'}) {
    const std::string data(1 << 16, fill);
    CHECK(Crc32c(0, data.data(), data.size()) ==
          crc_detail::Crc32cPortable(0, data.data(), data.size()));
    CHECK(Crc64Nvme(0, data.data(), data.size()) ==
          crc_detail::Crc64NvmePortable(0, data.data(), data.size()));
  }
}

#if defined(S3US_CRC_X86)
TEST_CASE("on x86-64 the instruction paths, called directly, agree with the definition") {
  // Called directly, so that a dispatch that never picks them cannot hide a mistake in them.
  std::mt19937 rng(17);
  const std::string data = RandomBytes(5000, rng);
  if (crc_detail::HasSse42()) {
    CHECK(crc_detail::Crc32cSse42(0, data.data(), data.size()) ==
          BitwiseCrc<uint32_t>(kCrc32cPoly, data));
  }
  if (crc_detail::HasClmul()) {
    CHECK(crc_detail::Crc64NvmeClmul(0, data.data(), data.size()) ==
          BitwiseCrc<uint64_t>(kCrc64NvmePoly, data));
  }
  CHECK(Crc32c(0, data.data(), data.size()) == BitwiseCrc<uint32_t>(kCrc32cPoly, data));
  CHECK(Crc64Nvme(0, data.data(), data.size()) == BitwiseCrc<uint64_t>(kCrc64NvmePoly, data));
}
#endif

}  // namespace
}  // namespace s3us

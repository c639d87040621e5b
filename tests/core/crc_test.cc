#include "core/crc.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <string>

namespace s3us {
namespace {

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

TEST_CASE("CRC32C and CRC64/NVME give the catalogued check values") {
  const std::string check = "123456789";
  CHECK(Crc32c(0, check.data(), check.size()) == 0xE3069283u);
  CHECK(Crc64Nvme(0, check.data(), check.size()) == 0xAE8B14860A799888ull);
  CHECK(Crc32c(0, "", 0) == 0);
  CHECK(Crc64Nvme(0, "", 0) == 0);
}

TEST_CASE("CRC32C and CRC64/NVME agree with the bitwise definition at any length and split") {
  std::mt19937 rng(7);
  for (size_t n = 0; n < 100; ++n) {
    std::string data(n, '\0');
    for (char& c : data) c = static_cast<char>(rng());
    size_t cut = n == 0 ? 0 : rng() % n;
    INFO("length " << n << ", split at " << cut);
    uint32_t c32 = Crc32c(Crc32c(0, data.data(), cut), data.data() + cut, n - cut);
    uint64_t c64 = Crc64Nvme(Crc64Nvme(0, data.data(), cut), data.data() + cut, n - cut);
    CHECK(c32 == BitwiseCrc<uint32_t>(0x82F63B78u, data));
    CHECK(c64 == BitwiseCrc<uint64_t>(0x9A6C9329AC4BC9B5ull, data));
  }
}

}  // namespace
}  // namespace s3us

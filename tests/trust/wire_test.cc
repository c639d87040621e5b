#include "trust/wire.h"

#include <catch2/catch.hpp>

namespace s3us::trust {
namespace {

TEST_CASE("Base64Decode reads padded base64 across line breaks") {
  CHECK(Base64Decode("aGVs\nbG8=\n") == std::optional<std::string>("hello"));
  CHECK(Base64Decode("aGk=") == std::optional<std::string>("hi"));
  CHECK(Base64Decode("") == std::optional<std::string>(""));
}

TEST_CASE("Base64Decode refuses bad characters, missing padding and stray bits") {
  CHECK_FALSE(Base64Decode("aGk"));       // unpadded
  CHECK_FALSE(Base64Decode("aG!="));      // bad character
  CHECK_FALSE(Base64Decode("aGl="));      // non-zero bits after the last byte
  CHECK_FALSE(Base64Decode("aGk=aGk="));  // data after padding
  CHECK_FALSE(Base64Decode("a==="));
}

TEST_CASE("Base64EncodeUnpadded drops the padding") {
  CHECK(Base64EncodeUnpadded("hi") == "aGk");
  CHECK(Base64EncodeUnpadded("abc") == "YWJj");
}

TEST_CASE("WireReader never reads past the end of a hostile length") {
  std::string bytes(
      "\xff\xff\xff\xf0"
      "abc",
      7);
  WireReader r(bytes);
  std::string_view s;
  CHECK_FALSE(r.ReadString(&s));
  WireReader short_u32(std::string_view("\0\0", 2));
  uint32_t v = 0;
  CHECK_FALSE(short_u32.ReadU32(&v));
}

TEST_CASE("WireReader accepts only minimal non-negative mpints") {
  std::string_view m;
  std::string ok("\0\0\0\2\x00\x80", 6);
  WireReader r1(ok);
  REQUIRE(r1.ReadPositiveMpint(&m));
  CHECK(m == std::string_view("\x80", 1));
  std::string negative("\0\0\0\1\x80", 5);
  WireReader r2(negative);
  CHECK_FALSE(r2.ReadPositiveMpint(&m));
  std::string padded("\0\0\0\2\x00\x01", 6);
  WireReader r3(padded);
  CHECK_FALSE(r3.ReadPositiveMpint(&m));
}

}  // namespace
}  // namespace s3us::trust

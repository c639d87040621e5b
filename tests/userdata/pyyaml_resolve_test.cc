#include "userdata/pyyaml_resolve.h"

#include <catch2/catch.hpp>

#include "userdata/cloud_config_yaml.h"

namespace s3us::userdata {
namespace {

// The launch-index value as the cloud-config reader hands it over, then int().
Result<std::optional<std::string>> IntOf(const std::string& yaml) {
  CloudConfigYaml read = ReadCloudConfigYaml("launch-index: " + yaml + "\n");
  REQUIRE_FALSE(read.problem);
  const std::optional<YamlScalar>& v = read.launch_index.scalar;
  if (!v) return std::optional<std::string>();
  return PyYamlIntOf(v->text, v->resolved);
}

std::optional<std::string> IntOfValue(const std::string& yaml) { return IntOf(yaml).value(); }

// Expected values are str(int(yaml.safe_load(...))) with Debian 12's PyYAML 6.0.
TEST_CASE("PyYamlIntOf reads a value as SafeLoader constructs it, then int()") {
  const std::pair<const char*, std::optional<std::string>> kCases[] = {
      {"0x10", "16"},
      {"010", "8"},
      {"0b11", "3"},
      {"1_0", "10"},
      {"2.0", "2"},
      {"2.9", "2"},
      {"-1", "-1"},
      {"+3", "3"},
      {"1:30", "90"},
      {"1e3", std::nullopt},
      {"1.5e+1", "15"},
      {"~", std::nullopt},
      {"Yes", "1"},
      {"ON", "1"},
      {"off", "0"},
      {"'yes'", std::nullopt},
      {"\"2\"", "2"},
      {".nan", std::nullopt},
      {"2001-12-14", std::nullopt},
      {"09", "9"},
      {"-0x1", "-1"},
      {"-0", "0"},
      {"-2.5", "-2"},
      {".5", "0"},
      {"1.", "1"},
      {"NO", "0"},
      {"\"0x10\"", std::nullopt},
      {"|\n  7", "7"},
      {"[1]", std::nullopt},
      {"0b1_0", "2"},
      {"0777", "511"},
      {"3.5e18", std::nullopt},  // no exponent sign: a str to YAML 1.1, and int() refuses it
      {"12345678901234567890123", "12345678901234567890123"},
      {"! 0x10", "16"},  // a non-specific tag: resolved as if plain
      {"! \"0x10\"", "16"},
      {"!!str 0x10", std::nullopt},
      {"!!str 12", "12"},
      {"!!null 12", std::nullopt},
  };
  for (const auto& [yaml, expected] : kCases) {
    INFO(yaml);
    CHECK(IntOfValue(yaml) == expected);
  }
}

TEST_CASE("PyYamlIntOf refuses what it cannot read exactly") {
  for (const char* yaml : {".inf", "-.Inf", "1.0e+19", "1:30.5", "0x1_0000_0000_0000_0000"}) {
    INFO(yaml);
    CHECK_FALSE(IntOf(yaml).ok());
  }
}

TEST_CASE("PyYamlPlainFails finds what SafeLoader cannot construct") {
  for (const char* plain : {"=", "0x_", "0b_", "2001-02-29", "2001-12-14 24:00:00"}) {
    INFO(plain);
    CHECK(*PyYamlPlainFails(plain, false));
  }
  CHECK(*PyYamlPlainFails("<<", false));
  CHECK_FALSE(*PyYamlPlainFails("<<", true));  // a merge key
  for (const char* plain : {"2000-02-29", "2001-12-14t21:59:43.10-05:00", "0x1", "x"}) {
    INFO(plain);
    CHECK_FALSE(*PyYamlPlainFails(plain, false));
  }
}

// std::regex recurses per character: a megabyte scalar must not reach it.
TEST_CASE("PyYamlIntOf and PyYamlPlainFails read long scalars without a regex") {
  std::string digits(1 << 20, '7');
  CHECK(IntOfValue(digits) == digits);
  CHECK_FALSE(*PyYamlPlainFails("1" + std::string(1 << 20, 'z'), false));
  CHECK_FALSE(*PyYamlPlainFails("9" + std::string(1 << 20, '9'), false));
  auto hex = PyYamlPlainFails("0x" + std::string(300, 'f'), false);
  REQUIRE_FALSE(hex.ok());
  CHECK(hex.error().message() ==
        "a cloud-config that names launch-index has a long plain scalar that may be a number "
        "(0xffffffffffffffffffffff...): which instances it is for is unknown");
  auto big = IntOf("0x1_0000_0000_0000_0000");
  REQUIRE_FALSE(big.ok());
  CHECK(big.error().message() ==
        "a cloud-config that names launch-index has an int out of 64-bit range "
        "(0x10000000000000000): which instances it is for is unknown");
}

}  // namespace
}  // namespace s3us::userdata

#include "userdata/pyyaml_resolve.h"

#include <catch2/catch.hpp>

namespace s3us::userdata {
namespace {

std::optional<std::string> IntOfValue(const std::string& yaml) {
  return PyYamlIntOf(YAML::Load("launch-index: " + yaml)["launch-index"]).value();
}

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
      {"0b_", std::nullopt},
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
  };
  for (const auto& [yaml, expected] : kCases) {
    INFO(yaml);
    CHECK(IntOfValue(yaml) == expected);
  }
}

TEST_CASE("PyYamlIntOf refuses what it cannot read exactly") {
  for (const char* yaml :
       {".inf", "-.Inf", "1.0e+19", "1:30.5", "0x1_0000_0000_0000_0000", "!!int 5"}) {
    INFO(yaml);
    auto r = PyYamlIntOf(YAML::Load(std::string("launch-index: ") + yaml)["launch-index"]);
    if (std::string(yaml) == "!!int 5") {
      CHECK(r.ok());  // the value's own tag: PyYamlFailsOn refuses the document
    } else {
      CHECK_FALSE(r.ok());
    }
  }
}

TEST_CASE("PyYamlFailsOn finds what SafeLoader cannot construct, and refuses merge keys") {
  auto fails = [](const char* yaml) { return PyYamlFailsOn(YAML::Load(yaml)); };
  CHECK(*fails("a: =\nb: 1\n"));
  CHECK(*fails("a: [<<]\n"));
  CHECK(*fails("a: 0x_\n"));
  CHECK(*fails("d: 2001-02-29\n"));
  CHECK(*fails("d: 2001-12-14 24:00:00\n"));
  CHECK_FALSE(*fails("d: 2000-02-29\ne: '='\nf: 2001-12-14t21:59:43.10-05:00\n"));
  CHECK_FALSE(*fails("b: &x {c: [1]}\nr: *x\ns: *x\n"));
  auto merge = fails("b: &x {c: 1}\n<<: *x\n");
  REQUIRE_FALSE(merge.ok());
  CHECK(merge.error().message() ==
        "a cloud-config that names launch-index has a merge key (<<): which instances it is "
        "for is unknown");
  auto tagged = fails("a: !!int 5\n");
  REQUIRE_FALSE(tagged.ok());
  CHECK(tagged.error().message() ==
        "a cloud-config that names launch-index has an explicit tag (tag:yaml.org,2002:int): "
        "which instances it is for is unknown");
}

// std::regex recurses per character: a megabyte scalar must not reach it.
TEST_CASE("PyYamlIntOf and PyYamlFailsOn read long scalars without a regex") {
  std::string digits(1 << 20, '7');
  CHECK(IntOfValue(digits) == digits);
  CHECK_FALSE(*PyYamlFailsOn(YAML::Load("a: 1" + std::string(1 << 20, 'z') + "\n")));
  CHECK_FALSE(*PyYamlFailsOn(YAML::Load("a: 9" + std::string(1 << 20, '9') + "\n")));
  auto hex = PyYamlFailsOn(YAML::Load("a: 0x" + std::string(300, 'f') + "\n"));
  REQUIRE_FALSE(hex.ok());
  CHECK(hex.error().message() ==
        "a cloud-config that names launch-index has a long plain scalar that may be a number "
        "(0xffffffffffffffffffffff...): which instances it is for is unknown");
  auto big = PyYamlIntOf(YAML::Load("launch-index: 0x1_0000_0000_0000_0000")["launch-index"]);
  REQUIRE_FALSE(big.ok());
  CHECK(big.error().message() ==
        "a cloud-config that names launch-index has an int out of 64-bit range "
        "(0x10000000000000000): which instances it is for is unknown");
}

}  // namespace
}  // namespace s3us::userdata

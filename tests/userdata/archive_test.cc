// #cloud-config-archive: exploded in place as cloud-init does, read only when PyYAML loads
// it, and the bound on the tree it builds, counted before it is built.
#include "userdata/archive.h"

#include <catch2/catch.hpp>
#include <string>

#include "tests/userdata/must_parse.h"
#include "userdata/cloud_config_yaml.h"
#include "userdata/parse.h"

namespace s3us::userdata {
namespace {

using testing::MustParse;

std::string Lines(const std::string& line, uint64_t n) {
  std::string out;
  for (uint64_t i = 0; i < n; ++i) out += line;
  return out;
}

TEST_CASE("ReadArchiveYaml counts scalars, aliases, sequences and mappings") {
  CHECK(ReadArchiveYaml("").nodes == 0);
  CHECK(ReadArchiveYaml("# only a comment\n").nodes == 0);
  ArchiveYaml read = ReadArchiveYaml("- &a {b: [x, y]}\n- *a\n");
  CHECK_FALSE(read.problem);
  CHECK(read.nodes == 7);  // the list, the map, b, the sequence, x, y, the alias
}

TEST_CASE("An archive too large to build as a tree is refused before it is built") {
  std::string archive = "#cloud-config-archive\n" + Lines("- x\n", kMaxArchiveYamlNodes);
  Result<std::vector<ArchiveEntry>> r = ExplodeArchive(archive, 1000);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == ErrorCode::kLimitExceeded);
  CHECK(r.error().message() == "cloud-config-archive has more than 100000 YAML nodes");
}

TEST_CASE("Archives explode in place with cloud-init's defaults") {
  auto parts = MustParse(
      "#cloud-config-archive\n"
      "- {type: text/x-shellscript, content: 'echo a', filename: a.sh, launch-index: 1}\n"
      "- 'plain string'\n"
      "- {content: '#s3-include\ns3://b/k'}\n");
  REQUIRE(parts.size() == 3);
  CHECK(parts[0].filename == "a.sh");
  CHECK(parts[0].launch_index == "1");
  CHECK(parts[1].content_type == "text/cloud-config");
  CHECK(parts[1].filename == "part-002");
  CHECK(parts[2].content_type == "text/x-s3-include");
}

// A MIMEBase of another type holds text content as a str: get_payload(decode=True) is its
// raw-unicode-escape.
TEST_CASE("Archive text content of a type that is not text/* is held as its escape") {
  auto parts = MustParse(
      "#cloud-config-archive\n- type: application/x-foo\n  content: \"caf\xc3\xa9 \\u20ac\"\n"
      "- type: text/x-foo\n  content: \"caf\xc3\xa9\"\n"
      "- type: TEXT/x-foo\n  content: \"caf\xc3\xa9\"\n");
  REQUIRE(parts.size() == 3);
  CHECK(parts[0].payload == "caf\xe9 \\u20ac");
  CHECK(parts[1].payload == "caf\xc3\xa9");
  CHECK(parts[2].payload == "caf\xe9");  // cloud-init compares the maintype as written
  CHECK(parts[2].content_type == "text/x-foo");
  auto two = Parse("#cloud-config-archive\n- a\n---\n- b\n");
  REQUIRE_FALSE(two.ok());
  CHECK(two.error().message() ==
        "part 1: cloud-config-archive is not YAML PyYAML loads (line 3: more than one document "
        "(cloud-init reads one)): cloud-init would ignore it");
  // What yaml-cpp reads and PyYAML does not (a tab before a value's indicator, an impossible
  // date), cloud-init ignores whole: nothing of it runs.
  for (const char* bad :
       {"#cloud-config-archive\n- {content: \"#!/bin/sh\\n\", when: 2001-02-30}\n",
        "#cloud-config-archive\n- &a x\n- &a y\n"}) {
    auto r = Parse(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message().starts_with("part 1: cloud-config-archive is not YAML PyYAML loads"));
  }
}

}  // namespace
}  // namespace s3us::userdata

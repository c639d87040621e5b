// The YAML scan that stands before every node tree: its shape and count, and the bound it
// puts on the tree a #cloud-config-archive builds.
#include "userdata/yaml_scan.h"

#include <yaml-cpp/exceptions.h>

#include <catch2/catch.hpp>
#include <string>

#include "userdata/archive.h"

namespace s3us::userdata {
namespace {

std::string Lines(const std::string& line, uint64_t n) {
  std::string out;
  for (uint64_t i = 0; i < n; ++i) out += line;
  return out;
}

TEST_CASE("ScanYaml tells the top level and counts the nodes of the first document") {
  CHECK(ScanYaml("").top == YamlShape::Top::kNone);
  CHECK(ScanYaml("# only a comment\n").nodes == 0);
  CHECK(ScanYaml("~\n").top == YamlShape::Top::kNull);
  YamlShape map = ScanYaml("a: 1\nb: [x, y]\n---\n- not counted\n");
  CHECK(map.top == YamlShape::Top::kMap);
  CHECK(map.nodes == 7);  // the map, a, 1, b, the sequence, x, y
  CHECK(ScanYaml("- a\n").top == YamlShape::Top::kOther);
  CHECK(ScanYaml("text\n").top == YamlShape::Top::kOther);
  CHECK_THROWS_AS(ScanYaml("a: [1\n"), YAML::Exception);
}

// PyYAML's safe_load fails on any document after the first; YAML::Load reads the first.
TEST_CASE("ScanYaml tells a text with more than one document") {
  CHECK_FALSE(ScanYaml("a: 1\n").more_documents);
  CHECK_FALSE(ScanYaml("a: 1\n...\n").more_documents);
  CHECK_FALSE(ScanYaml("--- \na: 1\n# end\n").more_documents);
  CHECK_FALSE(ScanYaml("").more_documents);
  CHECK(ScanYaml("a: 1\n---\nb: 2\n").more_documents);
  CHECK(ScanYaml("a: 1\n---\n").more_documents);
  CHECK(ScanYaml("a: 1\n...\n--- x\n").more_documents);
  CHECK(
      ScanYaml("a: 1\n---\nb: [\n").more_documents);  // one yaml-cpp cannot parse: one all the same
}

TEST_CASE("An archive too large to build as a tree is refused before it is built") {
  std::string archive = "#cloud-config-archive\n" + Lines("- x\n", kMaxYamlNodes);
  Result<std::vector<ArchiveEntry>> r = ExplodeArchive(archive, 1000);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == ErrorCode::kLimitExceeded);
  CHECK(r.error().message() == "cloud-config-archive has more than 100000 YAML nodes");
}

}  // namespace
}  // namespace s3us::userdata

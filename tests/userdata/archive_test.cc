// #cloud-config-archive: the bound on the tree it builds, counted before it is built.
#include "userdata/archive.h"

#include <catch2/catch.hpp>
#include <string>

#include "userdata/cloud_config_yaml.h"

namespace s3us::userdata {
namespace {

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

}  // namespace
}  // namespace s3us::userdata

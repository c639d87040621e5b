// A cloud-config's launch-index read from the cloud-config reader's one verdict
// (cloud_config_yaml.h), as cloud-init's _attach_launch_index reads it: where load_yaml fails
// there is none (it logs and goes on), where we refuse on purpose the part is refused.
#include "userdata/launch_index.h"

#include <catch2/catch.hpp>
#include <string>

#include "userdata/parse.h"

namespace s3us::userdata {
namespace {

// The part's launch-index, "-" when it has none, or the error.
std::string IndexOf(const std::string& yaml) {
  Result<std::vector<Part>> parts = Parse("#cloud-config\n" + yaml);
  if (!parts.ok()) return parts.error().message();
  REQUIRE(parts->size() == 1);
  return parts->at(0).launch_index.value_or("-");
}

// Expected: str(int(...)) of what Debian 12's cloud-init attaches, or none.
TEST_CASE("launch-index is read as cloud-init reads it") {
  const std::pair<const char*, const char*> cases[] = {
      {"launch-index: 2\n", "2"},
      {"launch-index: 1\nlaunch-index: 3\n", "3"},  // the last one
      {"a: &x 0x10\nlaunch-index: *x\n", "16"},     // an alias of a scalar
      {"\"launch\\x2dindex\": 4\n", "4"},           // a key spelled with an escape
      {"launch-index: ! '5'\n", "5"},               // '!': resolved as if plain
      {"{launch-index: 6, b: [1]}\n", "6"},
      {"b: &m {launch-index: 1}\n<<: *m\nlaunch-index: 7\n", "7"},  // over the merged one
      {"launch-index: [1]\n", "-"},
      {"launch-index: ~\n", "-"},
      {"a:\n  launch-index: 1\n", "-"},  // not at the top level
  };
  for (const auto& [yaml, expected] : cases) {
    INFO(yaml);
    CHECK(IndexOf(yaml) == expected);
  }
}

// Each fails in PyYAML or load_yaml (checked with Debian 12's cloud-init): no index.
TEST_CASE("launch-index of a cloud-config load_yaml fails on is none") {
  for (const char* yaml : {
           "launch-index: 2\t\n",                  // a tab after a plain scalar
           "launch-index: 2\nurl\n",               // a line without ':'
           "launch-index: 2\nb: \"x\n",            // a quoted scalar the text ends in
           "launch-index: 2\nb: \"\\'\"\n",        // an escape PyYAML does not know
           "launch-index: 2\n---\nb: 1\n",         // a second document
           "launch-index: 2\nb: &x 1\nc: &x 2\n",  // an anchor defined twice
           "launch-index: 2\nb: 2001-02-30\n",     // a date that does not exist
           "launch-index: 0b_\n",                  // an int without digits
           "launch-index: 2\nb: \x01\n",           // a control character
       }) {
    INFO(yaml);
    CHECK(IndexOf(yaml) == "-");
  }
}

TEST_CASE("launch-index of a cloud-config we refuse on purpose is refused") {
  const std::pair<const char*, const char*> cases[] = {
      {"launch-index: 2\nb: !!binary aGk=\n",
       "part 1: a cloud-config that names launch-index is refused on line 3 (invalid YAML: "
       "explicit tag "
       "tag:yaml.org,2002:binary is refused (only !!str, !!null, !!seq and !!map are "
       "accepted)): which instances it is for is unknown"},
      {"b: &m {launch-index: 1}\n<<: *m\n",
       "part 1: a cloud-config that names launch-index has a merge key (<<) at the top level: "
       "which instances it is for is unknown"},
      {"launch-index: .inf\n",
       "part 1: a cloud-config that names launch-index has an infinite or sexagesimal float "
       "(.inf): which instances it is for is unknown"},
  };
  for (const auto& [yaml, expected] : cases) {
    INFO(yaml);
    CHECK(IndexOf(yaml) == expected);
  }
  std::string deep = "launch-index: 1\nb: " + std::string(300, '[') + std::string(300, ']');
  CHECK(IndexOf(deep).find("nested deeper than 256 levels") != std::string::npos);
}

// Read by events in constant memory: no tree, so no bound on the count of nodes.
TEST_CASE("launch-index of a large cloud-config is read") {
  std::string list;
  for (int i = 0; i < 100000; ++i) list += "  - x\n";
  CHECK(IndexOf("launch-index: 1\nlist:\n" + list) == "1");
}

}  // namespace
}  // namespace s3us::userdata

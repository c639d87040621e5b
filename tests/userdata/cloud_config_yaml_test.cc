// The cloud-config check against what cloud-init's load_yaml (PyYAML's SafeLoader) takes:
// named cases, then a differential on generated cloud-configs with real cloud-init.
#include "userdata/cloud_config_yaml.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/fakes/command_output.h"

namespace s3us::userdata {
namespace {

const std::string kCases = std::string(S3US_TEST_DATA_DIR) + "/../userdata/cloudinit_yaml_cases.py";

std::string Problem(const std::string& yaml) {
  std::optional<YamlProblem> p = CloudConfigYamlProblem("#cloud-config\n" + yaml);
  return p ? std::to_string(p->line) + ": " + p->message : "";
}

TEST_CASE("The cloud-config check takes what cloud-init's loader takes") {
  for (const char* ok : {
           "",
           "~\n",
           "packages: [jq, curl]\nruncmd:\n  - [sh, -c, 'echo hi']\n",
           "a: 1\n...\n",
           "---\na: 1\n",
           "a: \"x\ty\"\nb: 'x\ty'\n",     // tabs in quoted scalars
           "c: |\n  all:\n  \tgcc x.c\n",  // in a block scalar
           "# a\tcomment\nd: e  # another\tone\nf: |  # header\tcomment\n  x\n",
           "base: &b {x: 1}\nover:\n  <<: [*b, {y: 2}]\nmore:\n  <<: *b\n",
           "s: !!str 12\nm: !!map {a: b}\nq: !!seq [1]\nn: !!null x\nu: !!python/unicode x\n",
           "d: 2001-12-14\nt: 2001-12-14 21:59:43.10 -5\ni: 0x1F\no: 010\n",
           "? plain key\n: v\n\"quoted key\": v\n",
       }) {
    INFO(ok);
    CHECK(Problem(ok).empty());
  }
}

TEST_CASE("The cloud-config check refuses what cloud-init's loader refuses, naming the line") {
  const std::pair<const char*, const char*> cases[] = {
      {"packages: [jq\n", "3: invalid YAML: did not find expected ',' or ']'"},
      {"a: 1\n---\nb: 2\n", "3: invalid YAML: more than one document (cloud-init reads one)"},
      {"a:\tb\n", "2: invalid YAML: a tab where cloud-init's loader takes none"},
      {"a: b\tc\n", "2: invalid YAML: a tab where cloud-init's loader takes none"},
      {"a: b\n\t\n", "3: invalid YAML: found a tab character that violates indentation"},
      {"a: b\n \t\n", "3: invalid YAML: a tab where cloud-init's loader takes none"},
      {"a: \"b\"\t# c\n", "2: invalid YAML: a tab where cloud-init's loader takes none"},
      {"a: | \t\n  x\n", "2: invalid YAML: a tab where cloud-init's loader takes none"},
      {"a: !!str\t\"x\"\n", "2: invalid YAML: a tab where cloud-init's loader takes none"},
      {"a: 1\n\xEF\xBB\xBF\n", "3: invalid YAML: a byte order mark (U+FEFF) starts a line"},
      {"? [a]\n: 1\n", "2: invalid YAML: a sequence or mapping is used as a key"},
      {"a: &x [1]\n? *x\n: 2\n", "3: invalid YAML: a sequence or mapping is used as a key"},
      {"a: *nowhere\n", "2: invalid YAML: undefined alias *nowhere"},
      {"a: &x 1\nb: &x 2\n", "3: invalid YAML: anchor &x is defined twice"},
      {"a:\n  <<: 1\n", "3: invalid YAML: a merge key (<<) merges a scalar"},
      {"a:\n  <<: [{x: 1}, 2]\n",
       "3: invalid YAML: a merge key (<<) lists something other than a mapping"},
      {"s: &s [1]\na:\n  <<: *s\n",
       "4: invalid YAML: a merge key (<<) merges an alias of a sequence"},
      {"d: 2001-02-30\n", "2: invalid YAML: '2001-02-30' cannot be constructed"},
      {"e: =\n", "2: invalid YAML: '=' cannot be constructed"},
      {"v: <<\n", "2: invalid YAML: '<<' cannot be constructed"},
      {"i: 0x_\n", "2: invalid YAML: '0x_' cannot be constructed"},
      {"g: [ad? m]\n", "2: invalid YAML: 'ad? m' in a flow collection has a '?' (quote it)"},
      {"t: !foo x\n",
       "2: invalid YAML: explicit tag !foo is refused (only !!str, !!null, !!seq and !!map are "
       "accepted)"},
      {"- a\n", "1: the top level is not a mapping"},
      {"text\n", "1: the top level is not a mapping"},
      {"'~'\n", "1: the top level is not a mapping"},
  };
  for (const auto& [yaml, expected] : cases) {
    INFO(yaml);
    CHECK(Problem(yaml) == expected);
  }
}

// kFails where PyYAML or load_yaml fails (cloud-init then reads no launch-index), kRefused
// where it may load what we do not follow.
TEST_CASE("The cloud-config check tells what cloud-init fails on from what we refuse") {
  auto kind = [](const std::string& yaml) {
    return CloudConfigYamlProblem("#cloud-config\n" + yaml).value().kind;
  };
  using K = YamlProblem::Kind;
  for (const char* fails : {"packages: [jq\n", "a:\tb\n", "- a\n", "a: *x\n", "a: 1\n---\n",
                            "e: =\n", "e: ! '='\n", "a: [<<]\n", "d: 2001-12-14 24:00:00\n"}) {
    INFO(fails);
    CHECK(kind(fails) == K::kFails);
  }
  for (const std::string& refused :
       std::vector<std::string>{"t: !foo x\n", "a: 1\n\xEF\xBB\xBF\n", "a: \"\\ud800\"\n",
                                "a: {b:}\n", "i: 0x" + std::string(300, 'f') + "\n"}) {
    INFO(refused);
    CHECK(kind(refused) == K::kRefused);
  }
  CHECK_FALSE(CloudConfigYamlProblem("#cloud-config\n! ''\n"));  // '!': resolved, None
}

TEST_CASE("The cloud-config check bounds nesting, where PyYAML exhausts Python's stack") {
  std::string ok =
      "a: " + std::string(kMaxYamlDepth - 1, '[') + std::string(kMaxYamlDepth - 1, ']');
  CHECK(Problem(ok).empty());
  std::string deep = "a: " + std::string(100000, '[') + std::string(100000, ']');
  CHECK(Problem(deep) == "2: invalid YAML: nested deeper than 256 levels");
}

// Every generated cloud-config cloud-init drops is refused; the ones it takes and we refuse
// are only where we refuse on purpose (kRefused: a launch-index is refused there, not read as
// none): tags we do not follow, ':' next to a flow indicator (PyYAML reads an empty value
// there) and a byte order mark starting a line (libyaml skips it, PyYAML reads it as text).
TEST_CASE("The cloud-config check agrees with real cloud-init on 2000 generated cloud-configs") {
  nlohmann::json cases =
      nlohmann::json::parse(testing::CommandOutput("/usr/bin/python3 '" + kCases + "' 2026 2000"));
  REQUIRE(cases.size() == 2000);
  int loads = 0;
  int refused_on_purpose = 0;
  for (const nlohmann::json& c : cases) {
    std::string text = c["text"];
    std::optional<YamlProblem> problem = CloudConfigYamlProblem(text);
    INFO(text << (problem ? " -> " + problem->message : " -> taken"));
    if (!c["loads"].get<bool>()) {
      CHECK(problem);
      continue;
    }
    ++loads;
    if (!problem) continue;
    ++refused_on_purpose;
    CHECK(problem->kind == YamlProblem::Kind::kRefused);
  }
  CHECK(loads > 400);
  CHECK(refused_on_purpose < loads / 20);
}

}  // namespace
}  // namespace s3us::userdata

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

// cloud-init's header loop calls key.lower() on every key and adds the others' values as
// header text: anything else fails all user data. A key written twice is ambiguous: PyYAML
// keeps the last, yaml-cpp's lookup the first.
TEST_CASE("Archive entries with a key twice, or a key or header value not a str, are refused") {
  const std::pair<const char*, const char*> cases[] = {
      {"- type: text/x-shellscript\n  content: '#!/bin/sh'\n  type: text/plain\n",
       "archive entry 1: key 'type' is written twice (ambiguous: PyYAML reads the last)"},
      {"- {content: '#!/bin/sh', \"content\": '#cloud-config'}\n",
       "archive entry 1: key 'content' is written twice (ambiguous: PyYAML reads the last)"},
      {"- {content: '#!/bin/sh', 1: x}\n",
       "archive entry 1: key '1' is not a string (cloud-init fails on it)"},
      {"- a\n- {content: '#!/bin/sh', 2001-01-01: x}\n",
       "archive entry 2: key '2001-01-01' is not a string (cloud-init fails on it)"},
      {"- {content: '#!/bin/sh', yes: x}\n",
       "archive entry 1: key 'yes' is not a string (cloud-init fails on it)"},
      {"- {content: '#!/bin/sh', <<: {type: text/plain}}\n",
       "archive entry 1: key '<<' is not a string (a merge key, not followed)"},
      {"- {content: '#!/bin/sh', X-Foo: 5}\n",
       "archive entry 1: the value of 'X-Foo' is not a string (cloud-init fails on it)"},
      {"- {content: '#!/bin/sh', X-Foo: 2001-01-01}\n",
       "archive entry 1: the value of 'X-Foo' is not a string (cloud-init fails on it)"},
      {"- {content: '#!/bin/sh', X-S3us-Foo: [a]}\n",
       "archive entry 1: the value of 'X-S3us-Foo' is not a string (cloud-init fails on it)"},
      {"- {content: '#!/bin/sh', X-Foo: !!binary aGk=}\n",
       "archive entry 1: the value of 'X-Foo' is not a string (cloud-init fails on it)"},
  };
  for (const auto& [entries, expected] : cases) {
    INFO(entries);
    auto r = Parse(std::string("#cloud-config-archive\n") + entries);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == ErrorCode::kInvalidInput);
    CHECK(r.error().message() == std::string("part 1: ") + expected);
  }
  // The keys the loop skips hold what cloud-init reads them as; a header may be empty; a
  // plain scalar PyYAML keeps as a str is one.
  auto parts = MustParse(
      "#cloud-config-archive\n"
      "- {content: '#!/bin/sh', filename: 42, launch-index: 1, X-Foo: , x-bar: '5', Type: 3}\n"
      "- 09\n");
  REQUIRE(parts.size() == 2);
  CHECK(parts[0].filename == "42");
  CHECK(parts[0].launch_index == "1");
  CHECK(parts[1].payload == "09");
}

// yaml-cpp 0.7 reads a block scalar with an anchor or a tag as empty, or fails on it, where a
// simple key may start (a list item, a line's start, after '?'): content would vanish.
TEST_CASE("Archive block scalars yaml-cpp misreads are refused, not read as empty") {
  for (const char* entries :
       {"- !!str |\n  #!/bin/sh\n", "- &boot |\n  #cloud-boothook\n", "- &s >\n  x\n- *s\n",
        "- !!binary |\n  IyEvYmluL3NoCg==\n", "- ? content\n  : !!str |\n    #!/bin/sh\n",
        "- content:\n    !!str |\n      #!/bin/sh\n"}) {
    INFO(entries);
    auto r = Parse(std::string("#cloud-config-archive\n") + entries);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message().starts_with("part 1: cloud-config-archive is not read (line "));
    CHECK(r.error().message().ends_with(
        ": a block scalar (| or >) with an anchor or tag is refused but as a value on its key's "
        "line (yaml-cpp misreads it))"));
  }
  // '!' makes PyYAML resolve a scalar as if plain (`! 5` is 5); yaml-cpp cannot tell it from
  // quotes.
  auto bang = Parse("#cloud-config-archive\n- {content: ! 5}\n");
  REQUIRE_FALSE(bang.ok());
  CHECK(bang.error().message() ==
        "part 1: cloud-config-archive is not read (line 2: explicit tag ! is refused (only !!str, "
        "!!null, !!seq and !!map are accepted))");
  // As a value on its key's line it is read right, an alias of it too.
  auto parts = MustParse(
      "#cloud-config-archive\n- content: &c !!str |\n    #!/bin/sh\n  filename: a.sh\n"
      "- {content: *c}\n- content: !!binary |\n    IyEvYmluL3NoCg==\n");
  REQUIRE(parts.size() == 3);
  for (const Part& p : parts) {
    CHECK(p.payload == "#!/bin/sh\n");
    CHECK(p.content_type == "text/x-shellscript");
  }
}

}  // namespace
}  // namespace s3us::userdata

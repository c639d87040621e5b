// A cloud-config's launch-index read from the cloud-config reader's one verdict
// (cloud_config_yaml.h), as cloud-init's _attach_launch_index reads it: where load_yaml fails
// there is none (it logs and goes on), where we refuse on purpose the part is refused.
#include "userdata/launch_index.h"

#include <catch2/catch.hpp>
#include <string>

#include "tests/userdata/must_parse.h"
#include "userdata/parse.h"

namespace s3us::userdata {
namespace {

using testing::Mime;
using testing::MustParse;

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

TEST_CASE("The first Launch-Index header decides; one int() refuses is kept as sent") {
  auto parts = MustParse(Mime(
      "--B\nContent-Type: text/x-shellscript\nLaunch-Index: 1.5\nLaunch-Index: 4\n\n#!/bin/sh\n"
      "--B\nContent-Type: text/x-shellscript\nLaunch-Index:  3 \nLaunch-Index: x\n\n#!/bin/sh\n"
      "--B\nContent-Type: text/cloud-config\n\n#cloud-config\nlaunch-index: nope\n"));
  REQUIRE(parts.size() == 3);
  CHECK(parts[0].launch_index == "1.5");  // for no instance, as cloud-init's filter reads it
  CHECK(parts[1].launch_index == "3");
  CHECK_FALSE(parts[2].launch_index.has_value());  // a bad key adds no header: every instance
}

// int() reads any Unicode decimal digit (int("\u0663") is 3): kept as text, such a header
// would be for no instance where cloud-init runs it on one, and `resolve` would write it
// percent-encoded.
TEST_CASE("A launch index int() may read from non-ASCII digits is refused") {
  const std::string refused =
      "part 1: Launch-Index holds characters int() may read as digits: which instances it is "
      "for is unknown";
  auto header =
      Parse(Mime("--B\nContent-Type: text/x-shellscript\nLaunch-Index: \xd9\xa3\n\n#!/bin/sh\n"));
  REQUIRE_FALSE(header.ok());
  CHECK(header.error().message() == refused);
  auto archive = Parse("#cloud-config-archive\n- {content: '#!/bin/sh', launch-index: \xd9\xa3}\n");
  REQUIRE_FALSE(archive.ok());
  CHECK(archive.error().message() == refused);
  for (const char* yaml : {"launch-index: \xd9\xa3\n", "launch-index: \"\\u0663\"\n"}) {
    INFO(yaml);
    CHECK(IndexOf(yaml) ==
          "part 1: a cloud-config that names launch-index has a value with characters int() may "
          "read as digits (\xd9\xa3): which instances it is for is unknown");
  }
  // Blanks str.strip() takes are no digits: int("3\u3000") is 3.
  auto blank = MustParse(
      Mime("--B\nContent-Type: text/x-shellscript\nLaunch-Index: 3\xe3\x80\x80\n\n#!/bin/sh\n"));
  CHECK(blank[0].launch_index == "3");
}

TEST_CASE("A cloud-config whose last line has no ':' is not YAML: no launch-index") {
  CHECK_FALSE(MustParse("#cloud-config\nlaunch-index: 2\necho hi\n")[0].launch_index);
  CHECK(MustParse("#cloud-config\nlaunch-index: 2\nempty:\n")[0].launch_index == "2");
  CHECK(MustParse("#cloud-config\nlaunch-index: 2\nf: {a, b}\n")[0].launch_index == "2");
  // A ':' is a value indicator before a blank or the line's end only.
  CHECK_FALSE(MustParse("#cloud-config\nlaunch-index: 2\ns3://b/k.sh\n")[0].launch_index);
  CHECK(MustParse("#cloud-config\nlaunch-index: 2\ns3://b/k.sh:\n")[0].launch_index == "2");
  // An explicit key with a null value has its ':' on the next line.
  CHECK(MustParse("#cloud-config\n? q\n: ~\nlaunch-index: 1\n")[0].launch_index == "1");
  CHECK(MustParse("#cloud-config\na:\n  ? q\n  :\nlaunch-index: 1\n")[0].launch_index == "1");
}

// PyYAML shares an alias's node; so do the checks of the tree: 40 levels of nested aliases
// (2^40 paths) are read at once, not walked path by path.
TEST_CASE("A cloud-config naming launch-index with nested aliases is read at once") {
  std::string text = "#cloud-config\nlaunch-index: 1\na0: &a0 [x, x]\n";
  for (int i = 1; i < 40; ++i) {
    std::string n = std::to_string(i), m = std::to_string(i - 1);
    text += "a" + n + ": &a" + n + " [*a" + m + ", *a" + m + "]\n";
  }
  CHECK(MustParse(text)[0].launch_index == "1");
}

// Expected values below: str(int(...)) of what Debian 12's cloud-init attaches (load_yaml,
// then payload.get("launch-index")), or none where load_yaml fails; a part without an index
// runs on every instance.
TEST_CASE("A cloud-config naming launch-index with an anchor PyYAML fails on has none") {
  for (std::string text : {"#cloud-config\na: &x 1\nb: &x 2\nlaunch-index: 2\n",
                           "#cloud-config\na: &x.y 1\nlaunch-index: 2\n",
                           "#cloud-config\na: [&x 1, &x 2]\nlaunch-index: 2\n"}) {
    INFO(text);
    CHECK_FALSE(MustParse(text)[0].launch_index);
  }
  CHECK(
      MustParse("#cloud-config\na: &x 1\nb: *x\nc: '&x'\nlaunch-index: 2 # &x\n")[0].launch_index ==
      "2");
}

// PyYAML fails on a tab where a token may start; libyaml reads past it, the cloud-config
// reader does not.
TEST_CASE("A cloud-config naming launch-index with a tab outside a comment has none") {
  for (std::string text :
       {"#cloud-config\nlaunch-index: 2\t\n", "#cloud-config\r\nlaunch-index:\t2\n",
        "#cloud-config\n\tlaunch-index: 2\n", "#cloud-config\nlaunch-index: 2 \t# c\n",
        "#cloud-config\n\tlaunch-index: 2 # \xc2\x85\n"}) {
    INFO(text);
    CHECK_FALSE(MustParse(text)[0].launch_index);
  }
  // NEL, U+2028 and U+2029 break lines in PyYAML and libyaml alike.
  for (std::string text : {"#cloud-config # \xc2\x85\nlaunch-index: 2\n",
                           "#cloud-config\xe2\x80\xa8\nlaunch-index: 2\n",
                           "#cloud-config\nlaunch-index: 2\n#\xe2\x80\xa9\n"}) {
    INFO(text);
    CHECK(MustParse(text)[0].launch_index == "2");
  }
  // A tab in a whole-line comment is never read as one.
  CHECK(MustParse("#cloud-config\n  #\tnote\nlaunch-index: 2\n")[0].launch_index == "2");
  CHECK_FALSE(MustParse("#cloud-config\na: 1\t\n")[0].launch_index);
  // A header decides before the YAML is read.
  CHECK(MustParse(Mime("--B\nContent-Type: text/cloud-config\nLaunch-Index: 1\n\n"
                       "#cloud-config\nlaunch-index: 2\t\n"))[0]
            .launch_index == "1");
}

// Tabs PyYAML reads: in a quoted scalar, in a comment after " #". One after a closing quote,
// in a plain scalar, or after a '#' inside a quoted scalar makes it fail.
TEST_CASE("A tab in a quoted scalar or a trailing comment is read as PyYAML reads it") {
  for (std::string text :
       {"#cloud-config\nlaunch-index: 2 # a\tb\n", "#cloud-config\nlaunch-index: 2 # it's\tb\n",
        "#cloud-config\nlaunch-index: 2\nx: \"a\tb\"\n",
        "#cloud-config\nlaunch-index: 2\nx: 'a\tb'\n",
        "#cloud-config\nlaunch-index: 2\nx: \"a\n\tb\"\n",
        "#cloud-config\n'a\tb': 1\nlaunch-index: 2\n"}) {
    INFO(text);
    CHECK(MustParse(text)[0].launch_index == "2");
  }
  for (std::string text : {"#cloud-config\nlaunch-index: 2\nx: \"a\"\t\n",
                           "#cloud-config\nlaunch-index: 2\nx: \"x\n  # y\" \t\n",
                           "#cloud-config\nlaunch-index: 2\nx: \"a # b\"\t\n",
                           "#cloud-config\nlaunch-index: 2\nx: a\tb\n",
                           "#cloud-config\nlaunch-index: 2\nx: b\n  \"x\ty\"\n"}) {
    INFO(text);
    CHECK_FALSE(MustParse(text)[0].launch_index);
  }
}

TEST_CASE("A cloud-config PyYAML's scanner or composer fails on has no launch-index") {
  for (std::string text :
       {"#cloud-config\nlaunch-index: 2\nx: \"abc\n", "#cloud-config\nlaunch-index: 2\nx: 'abc\n",
        "#cloud-config\nlaunch-index: 2\nx: &a \"abc\n  def\n",
        "#cloud-config\nlaunch-index: 2\nx: \"it\\'s\"\n",
        "#cloud-config\nlaunch-index: 2\nx: \"a\n--- b\"\n",
        "#cloud-config\nlaunch-index: 2\n---\na: 1\n", "#cloud-config\nlaunch-index: 2\n---\n"}) {
    INFO(text);
    CHECK_FALSE(MustParse(text)[0].launch_index);
  }
  CHECK(MustParse("#cloud-config\nlaunch-index: 2\nx: 'a\n...'\n")[0].launch_index == "2");
  CHECK(MustParse("#cloud-config\nlaunch-index: 2\n...\n")[0].launch_index == "2");
  // libyaml refuses a surrogate PyYAML takes (2) and a code point past U+10FFFF it fails on
  // (none) alike: refused.
  for (std::string text : {"#cloud-config\nlaunch-index: 2\nx: \"\\ud800\"\n",
                           "#cloud-config\nlaunch-index: 2\nx: \"\\U00110000\"\n"}) {
    auto parts = Parse(text);
    REQUIRE_FALSE(parts.ok());
    CHECK(parts.error().message() ==
          "part 1: a cloud-config that names launch-index is refused on line 3 (invalid YAML: "
          "found invalid Unicode character escape code): which instances it is for is unknown");
  }
}

TEST_CASE("A launch-index key spelled with escapes is read as PyYAML decodes it") {
  CHECK(MustParse("#cloud-config\n\"launch\\x2dindex\": 2\n")[0].launch_index == "2");
  CHECK(MustParse("#cloud-config\n\"\\U0000006caunch-index\": 5\n")[0].launch_index == "5");
  CHECK(MustParse("#cloud-config\n{\"launch\\u002Dindex\": 6}\n")[0].launch_index == "6");
  CHECK(MustParse("#cloud-config\n? \"launch-\\\n  index\"\n: 4\n")[0].launch_index == "4");
  CHECK_FALSE(MustParse("#cloud-config\n'launch\\x2dindex': 6\n")[0].launch_index);
  CHECK_FALSE(MustParse("#cloud-config\n\"launch\\\\x2dindex\": 6\n")[0].launch_index);
  CHECK(MustParse("#cloud-config\nlaunch-index: \"\\x32\"\n")[0].launch_index == "2");
}

// cloud-init decodes the YAML strictly as UTF-8 and PyYAML's reader refuses control
// characters: no launch-index then.
TEST_CASE("A cloud-config PyYAML's reader refuses has no launch-index") {
  CHECK_FALSE(MustParse("#cloud-config\nlaunch-index: 2\nx: \x7f\n")[0].launch_index);
  CHECK_FALSE(MustParse("#cloud-config\nlaunch-index: 2\nx: \x01\n")[0].launch_index);
  CHECK_FALSE(MustParse("#cloud-config\nlaunch-index: 2\nx: \xc2\x80\n")[0].launch_index);
  CHECK_FALSE(MustParse("#cloud-config\nlaunch-index: 2\nx: \xef\xbf\xbe\n")[0].launch_index);
  CHECK_FALSE(MustParse("#cloud-config\nlaunch-index: 2\nx: caf\xe9\n")[0].launch_index);
  CHECK(MustParse("#cloud-config\nlaunch-index: 2\nx: \xc2\xa0\xef\xbb\xbf\n")[0].launch_index ==
        "2");
}

// PyYAML reads the raw-unicode-escape of text cloud-init holds as a str: é is byte 0xe9
// there, not UTF-8; a character above U+00FF is ASCII (\u20ac).
TEST_CASE("The launch-index of an unencoded or gunzipped cloud-config is read from its escape") {
  std::string config = "#cloud-config\nlaunch-index: 2\nname: caf\xc3\xa9\n";
  auto parts =
      MustParse(Mime("--B\nContent-Type: text/cloud-config\n\n" + config +
                     "--B\nContent-Type: text/cloud-config\n\n"
                     "#cloud-config\nlaunch-index: 3\nname: \xe2\x82\xac\n"
                     "--B\nContent-Type: text/cloud-config\nContent-Transfer-Encoding: "
                     "base64\n\nI2Nsb3VkLWNvbmZpZwpsYXVuY2gtaW5kZXg6IDIKbmFtZTogY2Fmw6kK\n"));
  REQUIRE(parts.size() == 3);
  CHECK_FALSE(parts[0].launch_index);
  CHECK(parts[1].launch_index == "3");
  CHECK(parts[2].launch_index == "2");  // base64: the UTF-8 bytes
}

}  // namespace
}  // namespace s3us::userdata

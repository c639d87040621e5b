// #cloud-config-archive: exploded in place as cloud-init does, read only when PyYAML loads
// it, and the bound on the tree it builds, counted before it is built.
#include "userdata/archive.h"

#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/crypto.h"
#include "tests/userdata/must_parse.h"
#include "userdata/cloud_config_yaml.h"
#include "userdata/content_type.h"
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
      "- 'plain string'\n");
  REQUIRE(parts.size() == 2);
  CHECK(parts[0].filename == "a.sh");
  CHECK(parts[0].launch_index == "1");
  CHECK(parts[1].content_type == "text/cloud-config");
  CHECK(parts[1].filename == "part-002");
  for (const Part& p : parts) CHECK(p.placement == Placement::kArchiveEntry);
}

TEST_CASE("Archive line breaks are PyYAML's: CR and NEL end lines, LS and PS are refused") {
  // yaml-cpp ends lines at LF and CRLF only: a CR-ended archive was one comment (no parts,
  // "valid"), a CR inside a block scalar cut the script short, a NEL ended no comment.
  auto cr = MustParse(
      "#cloud-config-archive\r- type: text/x-shellscript\r  content: |\r    #!/bin/sh\r"
      "    echo one\r\r    echo two\r- '#cloud-config\n'\r");
  REQUIRE(cr.size() == 2);
  CHECK(cr[0].payload == "#!/bin/sh\necho one\n\necho two\n");
  CHECK(cr[1].content_type == "text/cloud-config");
  auto nel = MustParse(
      "#cloud-config-archive\n# note\xC2\x85- \"#!/bin/sh\\necho a\"\n"
      "- \"#!/bin/sh\\necho b\"\n");
  REQUIRE(nel.size() == 2);
  CHECK(nel[0].payload == "#!/bin/sh\necho a");
  Result<std::vector<ArchiveEntry>> ls = ExplodeArchive(
      "#cloud-config-archive\n- |\n  a\xE2\x80\xA8"
      "  b\n",
      1000);
  REQUIRE_FALSE(ls.ok());
  CHECK(ls.error().message() ==
        "cloud-config-archive has a U+2028 or U+2029 line separator, which YAML readers do not "
        "read alike");
}

TEST_CASE("An archive entry's launch-index is the YAML 1.1 int PyYAML builds") {
  // It was Python's int() of the text: 010 ran on instance 10, where cloud-init runs it on 8.
  for (auto [text, index] : std::vector<std::pair<std::string, std::string>>{
           {"010", "8"}, {"0x10", "16"}, {"0b1", "1"}, {"1:0", "60"}, {"1_0", "10"}, {"7", "7"}}) {
    INFO(text);
    auto parts =
        MustParse("#cloud-config-archive\n- {content: '#!/bin/sh', launch-index: " + text + "}\n");
    REQUIRE(parts.size() == 1);
    CHECK(parts[0].launch_index == index);
  }
}

// _explode_archive attaches an #include entry as a part; cloud-init never fetches it. Its
// handler walk hands every part to the handler of its type, so the bridge takes an entry
// typed text/x-s3-include, or text/plain starting #s3-include (checked with Debian's
// cloud-init 22.4.2); an untyped one cloud-init makes text/cloud-config, lost: refused.
TEST_CASE("Archive include entries: only those the bridge would be handed are include lists") {
  auto parts = MustParse(
      "#cloud-config-archive\n"
      "- \"#include\\nhttp://a/x.sh\"\n"
      "- {type: text/x-include-once-url, content: 'http://a/y'}\n"
      "- {type: text/x-s3-include, content: 's3://b/k'}\n"
      "- {type: text/plain, content: \"#s3-include\\ns3://b/j\"}\n"
      "- {type: text/x-shellscript, content: \"#s3-include\\ns3://b/j\"}\n");
  REQUIRE(parts.size() == 5);
  CHECK(parts[0].content_type == "text/x-include-url");
  CHECK(parts[1].content_type == "text/x-include-once-url");
  CHECK(parts[2].content_type == "text/x-s3-include");
  CHECK(parts[3].content_type == "text/x-s3-include");
  CHECK(parts[3].declared_type == "text/plain");
  CHECK(parts[4].content_type == "text/x-shellscript");
  CHECK_FALSE(IsIncludeList(parts[0]));
  CHECK_FALSE(IsIncludeList(parts[1]));
  CHECK(IsIncludeList(parts[2]));
  CHECK(IsIncludeList(parts[3]));
  CHECK_FALSE(IsIncludeList(parts[4]));
  // The same lists as the document's own parts are read.
  CHECK(IsIncludeList(MustParse("#include\nhttp://a/x.sh\n")[0]));
  CHECK(IsIncludeList(MustParse("#include-once\nhttp://a/x.sh\n")[0]));

  auto untyped = Parse("#cloud-config-archive\n- a\n- \"#s3-include\\ns3://b/k\"\n");
  REQUIRE_FALSE(untyped.ok());
  CHECK(untyped.error().message() ==
        "part 1: archive entry 2: starts with #s3-include but has no type: cloud-init makes it "
        "text/cloud-config and never fetches it (give it type: text/x-s3-include)");
}

// yaml-cpp writes \_ and \N as the bytes A0 and 85; PyYAML loads U+00A0 and U+0085, and the
// other escapes as yaml-cpp does.
TEST_CASE("An archive entry's Content-Transfer-Encoding key decodes a MIMEBase entry only") {
  auto parts = MustParse(
      "#cloud-config-archive\n"
      "- {type: TEXT/X-SHELLSCRIPT, Content-Transfer-Encoding: BASE64, content: "
      "IyEvYmluL3NoCmVjaG8gaGkK}\n"
      "- {type: text/x-shellscript, Content-Transfer-Encoding: base64, content: IyEv}\n"
      "- {type: APPLICATION/X-FOO, content-transfer-encoding: quoted-printable, content: "
      "\"=41=\\nB\"}\n");
  REQUIRE(parts.size() == 3);
  CHECK(parts[0].payload == "#!/bin/sh\necho hi\n");
  CHECK(parts[0].content_type == "text/x-shellscript");
  CHECK(parts[1].payload == "IyEv");  // MIMEText's own 7bit comes first
  CHECK(parts[2].payload == "AB");
  for (const char* refused :
       {"- {type: TEXT/X-SHELLSCRIPT, Content-Transfer-Encoding: x-uuencode, content: x}\n",
        "- {type: TEXT/X-SHELLSCRIPT, Content-Transfer-Encoding: base64, content: "
        "\"IyEv\u00e9\"}\n"}) {
    INFO(refused);
    CHECK_FALSE(Parse(std::string("#cloud-config-archive\n") + refused).ok());
  }
  // As a MIME part's body: base64 cut short is kept by email, refused in a fetched object.
  const std::string cut =
      "#cloud-config-archive\n- {type: TEXT/X-SHELLSCRIPT, "
      "Content-Transfer-Encoding: base64, content: IyEvYmluL3NoCmVjaG8gaGk}\n";
  CHECK(Parse(cut).ok());
  ParseOptions strict;
  strict.strict_encodings = true;
  auto refused = Parse(cut, strict);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message() == "part 1: archive entry 1: the base64 content is corrupt");
}

TEST_CASE("Archive YAML escapes give PyYAML's text") {
  auto parts = MustParse(
      "#cloud-config-archive\n"
      "- type: text/x-shellscript\n"
      "  content: \"#!/bin/sh\\necho [\\_] [\\N] [\\L] [\\P] [\\xe9] [\\u00a0] [\\x85]\"\n"
      "  X-S3us-Note: \"[\\_]\"\n"
      "- \"\\_\\N#!/bin/sh\\necho lead\"\n");
  REQUIRE(parts.size() == 2);
  CHECK(parts[0].payload ==
        "#!/bin/sh\necho [\xc2\xa0] [\xc2\x85] [\xe2\x80\xa8] [\xe2\x80\xa9] [\xc3\xa9] "
        "[\xc2\xa0] [\xc2\x85]");
  REQUIRE(parts[0].headers.size() == 2);
  CHECK(parts[0].headers[1].second == "[\xc2\xa0]");
  // str.lstrip() strips U+00A0 and U+0085: a script, as cloud-init types it.
  CHECK(parts[1].payload == "\xc2\xa0\xc2\x85#!/bin/sh\necho lead");
  CHECK(parts[1].content_type == "text/x-shellscript");
}

// A MIME part that is not base64 or quoted-printable is held as a str: PyYAML loads the
// raw-unicode-escape of its text. U+00E9 is one byte there, not UTF-8: the load fails and
// cloud-init runs no entry. The euro sign is the text \u20ac: loaded, as cloud-init loads it.
TEST_CASE("An unencoded MIME archive is exploded from the text Python reads, or refused") {
  const std::string script = "- \"#!/bin/sh\\necho ran\"\n";
  for (const char* cte :
       {"", "Content-Transfer-Encoding: 8bit\n", "Content-Transfer-Encoding: 7bit\n"}) {
    INFO(cte);
    auto r = Parse(testing::Mime(std::string("--B\nContent-Type: text/plain\n") + cte +
                                 "\n#cloud-config-archive\n" + script +
                                 "- \"#cloud-config\\nbootcmd: [echo caf\xc3\xa9]\"\n"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message() ==
          "part 1: cloud-init cannot load this archive: non-ASCII text in a part that is not "
          "base64 or quoted-printable encoded (PyYAML fails on the raw-unicode-escape Python "
          "reads, and no entry runs)");
  }
  auto parts = MustParse(testing::Mime(
      "--B\nContent-Type: text/plain\n\n#cloud-config-archive\n- |\n  #!/bin/sh\n  echo "
      "\xe2\x82\xac\n- \"#!/bin/sh\\necho \xe2\x82\xac\"\n"));
  REQUIRE(parts.size() == 2);
  CHECK(parts[0].payload == "#!/bin/sh\necho \\u20ac\n");
  CHECK(parts[1].payload == "#!/bin/sh\necho \xe2\x82\xac");
  // base64 is decoded to bytes, and the archive read from them as they are.
  const std::string archive = "#cloud-config-archive\n- \"#!/bin/sh\\necho caf\xc3\xa9\"\n";
  auto b64 = MustParse(testing::Mime(
      "--B\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n" +
      Base64Encode(reinterpret_cast<const uint8_t*>(archive.data()), archive.size()) + "\n"));
  REQUIRE(b64.size() == 1);
  CHECK(b64[0].payload == "#!/bin/sh\necho caf\xc3\xa9");
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

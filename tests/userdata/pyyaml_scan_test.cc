#include "userdata/pyyaml_scan.h"

#include <catch2/catch.hpp>
#include <string>

namespace s3us::userdata {
namespace {

TEST_CASE("MayNameKey finds a key spelled with double-quoted escapes") {
  CHECK(MayNameKey("launch-index: 1", "launch-index"));
  CHECK(MayNameKey("\"launch\\x2dindex\": 1", "launch-index"));
  CHECK(MayNameKey("\"launch\\u002Dindex\": 1", "launch-index"));
  CHECK(MayNameKey("\"\\U0000006caunch-index\": 1", "launch-index"));
  CHECK(MayNameKey("\"launch-\\\n   \tindex\": 1", "launch-index"));
  CHECK(MayNameKey("\"launch-\\\r\nindex\": 1", "launch-index"));
  CHECK_FALSE(MayNameKey("\"launch\\\\x2dindex\": 1", "launch-index"));   // a backslash, then x2d
  CHECK_FALSE(MayNameKey("\"launch-\\\n\n index\": 1", "launch-index"));  // a kept line break
  CHECK_FALSE(MayNameKey("\"launch\\x2Gindex\": 1", "launch-index"));
  CHECK_FALSE(MayNameKey("launch_index: 1", "launch-index"));
}

QuotedScalars Quoted(const std::string& text) { return FindQuotedScalars(YAML::Load(text), text); }

TEST_CASE("FindQuotedScalars reads quoted scalars with PyYAML's rules") {
  QuotedScalars q = Quoted("a: \"x\ty\"\n'b''c': &n 'd'\n");
  REQUIRE(q.spans.size() == 3);
  CHECK(q.spans[0] == std::make_pair<size_t, size_t>(3, 7));
  CHECK(q.spans[1] == std::make_pair<size_t, size_t>(9, 14));
  CHECK(q.spans[2] == std::make_pair<size_t, size_t>(20, 22));
  CHECK_FALSE(q.pyyaml_fails);
  CHECK(Quoted("a: \"x\n").pyyaml_fails);  // the text ends inside it
  CHECK(Quoted("a: 'x\n").pyyaml_fails);
  CHECK(Quoted("a: \"\\'\"\n").pyyaml_fails);  // an escape PyYAML does not know
  CHECK_FALSE(Quoted("a: \"\\/\\N\\_\\\tx\"\n").pyyaml_fails);
  CHECK_FALSE(Quoted("a: \"x\n...y\"\n").pyyaml_fails);  // not a separator: no blank after
}

TEST_CASE("AnchorsUnsure finds an anchor written twice or with other characters") {
  auto unsure = [](const std::string& text) { return AnchorsUnsure(text, Quoted(text)); };
  CHECK_FALSE(unsure("a: &x-1_Y 1\nb: *x-1_Y\nc: [&z 2]\n"));
  CHECK_FALSE(unsure("a: \"&x\"\nb: &x 1 # &x\nc: a&x\n"));
  CHECK(unsure("a: &x 1\nb: &x 2\n"));
  CHECK(unsure("a: {b: &x 1, c: &x 2}\n"));
  CHECK(unsure("a: &x.y 1\n"));
  CHECK(unsure("a: echo &x\nb: &x 1\n"));  // a plain scalar's text: refused all the same
}

TEST_CASE("SuspectBlank names the first tab PyYAML may fail on") {
  auto line_of = [](const std::string& text) { return SuspectBlank(text, Quoted(text)).line; };
  CHECK(line_of("a: 1 # x\ty\n") == 0);
  CHECK(line_of("a: 1\n  #\tx\n") == 0);
  CHECK(line_of("a: 'x\ty'\n") == 0);
  CHECK(line_of("a: 1\t# x\n") == 1);
  CHECK(line_of("a: 1\nb: \"x\" # y\t\n") == 0);  // after a closed quoted scalar
  CHECK(line_of("a: 1\nb: x\" # y\t\n") == 2);    // a quote outside the spans before it
  CHECK(line_of("a: |\n  x\ty\n  \tz\n") == 0);   // block scalar text
  CHECK(line_of("a:\n  b: |\n   x\ty\n") == 0);   // indent 3: b's column + 1
  CHECK(line_of("a: 1\nb: x\ty\n") == 2);
  CHECK(line_of("a: \"x\n # y\"\t\n") == 2);  // the '#' is in the quoted scalar
  BlankSuspect nel = SuspectBlank("a: 1\n#\xc2\x85\n", {});
  CHECK(nel.line == 2);
  CHECK_FALSE(nel.tab);
}

}  // namespace
}  // namespace s3us::userdata

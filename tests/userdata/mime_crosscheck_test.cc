// The second reading: what mimetic must agree on, what makes a blob ambiguous, and the
// guards that keep mimetic's known failure modes (quadratic header fields, unbounded
// recursion) from being reached.
#include "userdata/mime_crosscheck.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <vector>

#include "userdata/parse.h"

namespace s3us::userdata {
namespace {

const std::string kHead = "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n";

Status Check(const std::string& text, const CrossCheckLimits& limits = {}) {
  auto tree = ParseMime(text, {});
  if (!tree.ok()) FAIL(tree.error().ToString());
  return CrossCheckMime(text, *tree, limits);
}

TEST_CASE("CrossCheckMime keeps what mimetic's header reader puts in a body before the body") {
  // Both readers take a header line without a colon for the start of the body; mimetic
  // fills the body before its body loop runs, which must not drop or reuse that text.
  // The part after it, read through the shared body buffer, must still compare exactly.
  CHECK(Check(kHead + "--XX\nContent-Type text/x-shellscript\n\n#!/bin/sh\n--XX\n\n" +
              std::string(100000, 'a') + "\n--XX\n\nshort\n--XX--\n")
            .ok());
}

TEST_CASE("CrossCheckMime accepts what both readers read the same") {
  auto same = GENERATE(
      kHead + "--XX\nContent-Type: text/x-shellscript\n\n#!/bin/sh\necho a\n--XX--\n",
      // CRLF, preamble, epilogue, a folded header, base64 and a part without Content-Type.
      std::string("MIME-Version: 1.0\r\nContent-Type: multipart/mixed;\r\n boundary=\"B\"\r\n\r\n"
                  "pre\r\n--B\r\nContent-Type:\r\n\ttext/cloud-config\r\n\r\n#cloud-config\r\n"
                  "--B\r\nContent-Transfer-Encoding: BASE64\r\n\r\nIyEvYmluL3NoCg==\r\n"
                  "--B--\r\nepilogue\r\n"),
      // Nested, and a last part with no closing boundary (a common hand-written slip).
      kHead + "--XX\nContent-Type: multipart/alternative; boundary=YY\n\n--YY\n\nin\n--YY--\n" +
          "--XX\nContent-Type: text/plain\n\n#!/bin/sh\n\n",
      // Boundary-like text in the middle of a line is text to both.
      kHead + "--XX\n\necho --XX and --XX--\n--XX--\n",
      // A type cloud-init replaces with its default is not compared; comments and odd
      // blanks are read alike.
      kHead + "--XX\nContent-Type: bogus\n\nx\n--XX--\n",
      kHead +
          "--XX\nContent-Type: text/ plain (x)\nContent-Transfer-Encoding: base64 \n\nx\n"
          "--XX--\n");
  INFO(same);
  Status st = Check(same);
  CHECK(st.ok());
}

TEST_CASE("CrossCheckMime refuses blobs the readers split differently, naming the part") {
  struct Case {
    std::string text;
    std::string error;
  };
  auto c = GENERATE(
      Case{kHead + "--XX\n\na\n--XXX\nb\n--XX--\n",
           "mime part 1: ambiguous MIME: cloud-init reads 1 part in this multipart, an RFC 2046 "
           "reader 2 parts (check the lines that start with its boundary)"},
      // Two boundary lines in a row: Python opens one part, mimetic an empty one and then a
      // part whose body starts with the second boundary line.
      Case{kHead + "--XX\n\na\n--XX\n--XX\nContent-Type: text/x-shellscript\n\nb\n--XX--\n",
           "mime part 2: ambiguous MIME: cloud-init reads content type 'text/x-shellscript', an "
           "RFC 2046 reader 'none'"},
      // A folded encoding: Python keeps the fold, mimetic unfolds it.
      Case{kHead + "--XX\nContent-Transfer-Encoding:\n base64\n\naGk=\n--XX--\n",
           "mime part 1: ambiguous MIME: cloud-init reads transfer encoding '\\n base64', an RFC "
           "2046 reader ' base64'"},
      // A "From " line among part headers: Python moves it to the body, mimetic too, but
      // with the blank line after it. Sizes only: user data may hold secrets.
      Case{kHead + "--XX\nContent-Type: text/x-shellscript\nFrom nobody\n\n#!/bin/sh\n--XX--\n",
           "mime part 1: ambiguous MIME: the body differs from byte 12: cloud-init reads 21 "
           "bytes, an RFC 2046 reader 22"},
      Case{kHead + "--XX\nContent-Type: multipart\n\nx\n--XX--\n",
           "mime part 1: ambiguous MIME: cloud-init reads a single part, an RFC 2046 reader a "
           "multipart"});
  Status st = Check(c.text);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code() == ErrorCode::kInvalidInput);
  CHECK(st.error().message() == c.error);
}

TEST_CASE("CrossCheckMime measures a body as mimetic's 4 KiB blocks read it, without a copy") {
  // mimetic appends a body in blocks of 4093 bytes and up to a line start, and drops the line
  // break before a boundary only when the break is in the boundary's block. A boundary line
  // that straddles a block end keeps it (bodies of 4088-4092 bytes here): one line break
  // more is the same body, not an ambiguity, so valid user data is not refused for it.
  auto doc = [](size_t body) {
    return kHead + "--XX\n\n" + std::string(body, 'a') + "\n--XX\n\nb\n--XX--\n";
  };
  for (size_t body = 4080; body < 4100; ++body) {
    INFO(body);
    CHECK(Check(doc(body)).ok());
  }
  CHECK(Check(doc(3 * 4093 + 100)).ok());
}

// The span reader skips from line break to line break; mimetic steps a byte at a time. Any
// byte it measures wrongly makes a body that differs from ours, and the check refuses it.
// (LF CR is one line break to mimetic and two to Python's email: refused as ambiguous.)
TEST_CASE("CrossCheckMime measures bodies of every line shape across block ends") {
  for (std::string eol : {"\n", "\r\n", "\r"}) {
    for (size_t line : {1u, 2u, 59u, 4091u, 4092u, 4093u, 4094u, 9000u}) {
      for (size_t body : {4092u, 4093u, 4095u, 8186u, 12290u}) {
        std::string text = kHead + "--XX" + eol + eol;
        std::string content;
        while (content.size() < body) content += std::string(line, 'a') + eol;
        text += content + "--XX" + eol + eol + "b" + eol + "--XX--" + eol;
        INFO("eol " << eol.size() << " line " << line << " body " << body);
        auto tree = ParseMime(text, {});
        if (!tree.ok()) continue;  // a shape our reader refuses is not a measurement
        CHECK(CrossCheckMime(text, *tree, {}).ok());
      }
    }
  }
}

TEST_CASE("Each pass over a MIME text tells how far it has read, and no further") {
  std::string line = "# a line of a large script part, long enough to be many pages .....\n";
  std::string big;
  while (big.size() < (6 << 20)) big += line;
  std::string text = kHead + "--XX\nContent-Type: text/x-shellscript\n\n#!/bin/sh\n" + big +
                     "--XX\n\nsmall\n--XX--\n";
  std::vector<size_t> told;
  Passed passed = [&](size_t offset) { told.push_back(offset); };
  auto reaches_the_body = [&](const char* pass) {
    INFO(pass);
    REQUIRE_FALSE(told.empty());
    CHECK(std::is_sorted(told.begin(), told.end()));
    CHECK(told.back() <= text.size());
    CHECK(told.back() + (1 << 20) > big.size());  // through the 6 MiB part, not before it
    told.clear();
  };
  CHECK(IsValidUtf8(text, nullptr, passed));
  reaches_the_body("utf-8");
  auto tree = ParseMime(text, {}, passed);
  REQUIRE(tree.ok());
  reaches_the_body("split");
  CHECK(CrossCheckMime(text, *tree, {}, passed).ok());
  // Two passes, each from the start: the pre-scan, then mimetic.
  auto second = std::adjacent_find(told.begin(), told.end(), std::greater<size_t>());
  REQUIRE(second != told.end());
  std::vector<size_t> mimetic(second + 1, told.end());
  told.erase(second + 1, told.end());
  reaches_the_body("pre-scan");
  told = mimetic;
  reaches_the_body("mimetic");
}

TEST_CASE("Parse refuses an ambiguous blob with one line naming the part") {
  auto r = Parse(kHead + "--XX\nContent-Type: text/x-shellscript\n\n#!/bin/sh\n--XX-\n--XX--\n");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().ToString() ==
        "mime part 1: ambiguous MIME: cloud-init reads 1 part in this multipart, an RFC 2046 "
        "reader 2 parts (check the lines that start with its boundary)");
}

// Python reads the boundary line that ends the headers as the body's first line; mimetic
// finds no part. Refused (ambiguous), naming the cause rather than the counts alone.
TEST_CASE("Parse names a missing blank line before the first boundary") {
  for (const char* nl : {"\n", "\r\n"}) {
    std::string n = nl;
    auto r =
        Parse("MIME-Version: 1.0" + n + "Content-Type: multipart/mixed; boundary=XX" + n + "--XX" +
              n + "Content-Type: text/x-shellscript" + n + n + "#!/bin/sh" + n + "--XX--" + n);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().ToString() ==
          "mime part 1: ambiguous MIME: no blank line between the headers and the first "
          "boundary (cloud-init reads 1 part in this multipart, an RFC 2046 reader 0 parts)");
  }
}

TEST_CASE("CrossCheckMime bounds header fields before mimetic reads them") {
  CrossCheckLimits small;
  small.max_field_bytes = 1000;
  // mimetic copies a header field once per 128 bytes: a 16 MiB field would take minutes.
  std::string folded = kHead + "--XX\nX-Long: a\n";
  for (int i = 0; i < 20; ++i) folded += " " + std::string(99, 'b') + "\n";
  folded += "\nbody\n--XX--\n";
  Status st = Check(folded, small);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code() == ErrorCode::kLimitExceeded);
  CHECK(st.error().message() ==
        "mime: a header field ending on line 15 is over the limit of 1000 bytes");

  // Any line starting with "--" may open a header block for mimetic, boundary or not.
  std::string after_dashes =
      kHead + "--XX\n\n--not-a-boundary\n" + std::string(2000, 'c') + "\n--XX--\n";
  CHECK(Check(after_dashes, small).error().code() == ErrorCode::kLimitExceeded);

  // An embedded message's headers follow its part's headers: mimetic reads them too. The
  // guard runs before any comparison, so an empty tree is enough here.
  std::string embedded =
      kHead + "--XX\nContent-Type: message/rfc822\n\nSubject: " + std::string(2000, 'd') +
      "\n\nbody\n--XX--\n";
  st = CrossCheckMime(embedded, MimeEntity{}, small);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message() ==
        "mime: a header field ending on line 7 is over the limit of 1000 bytes");

  // Long lines in bodies are not header fields: an unwrapped base64 body passes.
  std::string body =
      kHead + "--XX\nContent-Transfer-Encoding: base64\n\n" + std::string(4000, 'Q') + "\n--XX--\n";
  CHECK(Check(body, small).ok());
}

TEST_CASE("CrossCheckMime bounds how deep mimetic may recurse") {
  CrossCheckLimits small;
  small.max_content_types = 3;
  std::string text = kHead;
  for (int i = 0; i < 3; ++i) text += "--XX\nContent-Type: text/plain\n\nx\n";
  text += "--XX--\n";
  Status st = Check(text, small);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code() == ErrorCode::kLimitExceeded);
  CHECK(st.error().message() == "mime: more than 3 content-type headers");
}

TEST_CASE("CrossCheckMime stops mimetic past the part limit, before it builds every part") {
  // Python's email reads one part here; mimetic an entity of about a kilobyte per two
  // "--XX" lines: 16 MiB of them took 1.7 GB before the readings could be compared.
  auto lines = [](int n) {
    std::string text = kHead;
    for (int i = 0; i < n; ++i) text += "--XX\n";
    return text + "--XX--\n";
  };
  Status st = Check(lines(3000));
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code() == ErrorCode::kInvalidInput);
  CHECK(st.error().message() ==
        "mime: ambiguous MIME: cloud-init reads 1 part, an RFC 2046 reader more than 1000 parts "
        "(check the lines that start with its boundary)");
  // Parse stops it at its own part limit; a multipart at the limit is read whole.
  ParseOptions o;
  o.limits.max_parts = 10;
  auto r = Parse(lines(40), o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message().starts_with(
      "mime: ambiguous MIME: cloud-init reads 1 part, an RFC 2046 reader more than 10 parts"));
  std::string ten = kHead;
  for (int i = 0; i < 10; ++i) ten += "--XX\n\n#!/bin/sh\n";
  CHECK(Parse(ten + "--XX--\n", o).ok());
}

TEST_CASE("Parse refuses nesting deep enough to overflow mimetic's stack before it runs") {
  // About 60k nested multiparts overflowed mimetic's recursive parser when it ran alone.
  std::string text = "MIME-Version: 1.0\n";
  for (int i = 0; i < 60000; ++i) {
    text += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\n\n--b" +
            std::to_string(i) + "\n";
  }
  ParseOptions o;
  o.limits.max_input_bytes = 8u << 20;
  auto r = Parse(text, o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == ErrorCode::kLimitExceeded);
}

}  // namespace
}  // namespace s3us::userdata

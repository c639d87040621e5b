// One test per parsing rule, limit and error text of Parse() / ParseIncludeList(); the
// launch-index rules are in launch_index_test.cc, the archive ones in archive_test.cc.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "tests/fakes/gzip.h"
#include "tests/userdata/must_parse.h"
#include "userdata/parse.h"
#include "userdata/py_text.h"

namespace s3us::userdata {
namespace {

using testing::Gzip;
using testing::Mime;
using testing::MustParse;

TEST_CASE("First-line table re-types, longest prefix first, case and blanks ignored") {
  struct Case {
    const char* payload;
    const char* type;
  };
  const Case cases[] = {
      {"#include http://a\n", "text/x-include-url"},
      {"#INCLUDE-ONCE\nhttp://a\n", "text/x-include-once-url"},
      {" \t\n#!/bin/sh\n", "text/x-shellscript"},
      {"#cloud-config\n", "text/cloud-config"},
      {"#cloud-config-archive\n", "text/cloud-config-archive"},  // exploded: no parts
      {"#cloud-config-jsonp\n[]", "text/cloud-config-jsonp"},
      {"#part-handler\n", "text/part-handler"},
      {"#cloud-boothook\n", "text/cloud-boothook"},
      {"## Template: Jinja\n", "text/jinja2"},
      {"#S3-Include\ns3://b/k\n", "text/x-s3-include"},
      {"\xc2\xa0#cloud-config\n", "text/cloud-config"},  // U+00A0 is Python whitespace
      {"# cloud-config\n", "text/x-not-multipart"},
      // str.lower() of the payload: U+212A KELVIN SIGN is 'k'; U+0130 is "i\u0307".
      {"#cloud-boothoo\xe2\x84\xaa\necho hi\n", "text/cloud-boothook"},
      {" #CLOUD-BOOTHOO\xe2\x84\xaa\n", "text/cloud-boothook"},
      {"#cloud-boothoo\xe2\x84\n", "text/x-not-multipart"},
      {"#\xc4\xb0nclude http://a\n", "text/x-not-multipart"},
      {"#cloud-config\xc4\xb0\n", "text/cloud-config"},
  };
  for (const auto& c : cases) {
    INFO(c.payload);
    auto parts = MustParse(c.payload);
    if (std::string(c.type) == "text/cloud-config-archive") {
      CHECK(parts.empty());
    } else {
      REQUIRE(parts.size() == 1);
      CHECK(parts[0].content_type == c.type);
    }
  }
}

TEST_CASE("A KELVIN SIGN types an unencoded MIME part by its escape: not a boothook") {
  auto parts =
      MustParse(Mime("--B\nContent-Type: text/plain\n\n#cloud-boothoo\xe2\x84\xaa\n"
                     "--B\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n"
                     "I2Nsb3VkLWJvb3Rob2/ihKoK\n"));
  REQUIRE(parts.size() == 2);
  CHECK(parts[0].content_type == "text/plain");
  CHECK(parts[1].content_type == "text/cloud-boothook");
}

// cloud-init re-types a part by a fresh Content-Type header (no name=); #s3-include is not
// in its table, so it keeps the part, name and all.
TEST_CASE("A re-typed part loses its name= parameter, but not to #s3-include") {
  auto parts =
      MustParse(Mime("--B\nContent-Type: text/x-shellscript; name=a.sh\n\n#cloud-config\n"
                     "--B\nContent-Type: text/x-shellscript; name=b.sh\n\n"
                     "#s3-include\ns3://b/k\n"));
  REQUIRE(parts.size() == 2);
  CHECK(parts[0].filename == "part-001");
  CHECK(parts[1].content_type == "text/x-s3-include");
  CHECK(parts[1].filename == "b.sh");
}

TEST_CASE("Only text/plain, x-not-multipart and x-shellscript parts are re-typed") {
  auto parts =
      MustParse(Mime("--B\nContent-Type: text/cloud-config\n\n#!/bin/sh\n"
                     "--B\nContent-Type: text/x-shellscript\n\n#cloud-config\n"
                     "--B\nContent-Type: application/x-foo\n\n#!/bin/sh\n"
                     "--B\n\n#cloud-config\n"));
  REQUIRE(parts.size() == 4);
  CHECK(parts[0].content_type == "text/cloud-config");
  CHECK(parts[1].content_type == "text/cloud-config");
  CHECK(parts[1].declared_type == "text/x-shellscript");
  CHECK(parts[2].content_type == "application/x-foo");
  CHECK(parts[3].content_type == "text/cloud-config");
  CHECK(parts[3].declared_type.empty());
}

TEST_CASE("Whole blob is MIME only with mime-version in its first 4096 bytes") {
  std::string late = "#!/bin/sh\n" + std::string(4100, '#') + "\nMIME-Version: 1.0\n";
  CHECK(MustParse(late)[0].payload == late);
  auto early = MustParse("mime-VERSION: 1.0\nContent-Type: text/x-shellscript\n\necho x\n");
  CHECK(early[0].payload == "echo x\n");
  CHECK(early[0].content_type == "text/x-shellscript");
}

TEST_CASE("A gzipped blob is inflated first; a broken one is kept as is") {
  CHECK(MustParse(Gzip("#cloud-config\na: 1\n"))[0].content_type == "text/cloud-config");
  std::string broken = Gzip("#cloud-config\n") + "junk";
  auto parts = MustParse(broken);
  CHECK(parts[0].payload == broken);
  CHECK(parts[0].content_type == "text/x-not-multipart");
}

TEST_CASE("Base64 user data is not decoded when it is not MIME") {
  auto parts = MustParse("IyEvYmluL3NoCmVjaG8gaGkK");
  CHECK(parts[0].payload == "IyEvYmluL3NoCmVjaG8gaGkK");
  CHECK(parts[0].content_type == "text/x-not-multipart");
}

TEST_CASE("Gzip-typed parts are inflated and re-typed, keeping filename and launch index") {
  std::string b64 = "H4sIAAAAAAAAA1NW1E/KzNMvzuBKTc7IV6jiAgAbKroaEQAAAA==";  // gzip -n | base64
  auto parts = MustParse(
      Mime("--B\nContent-Type: application/x-gzip; name=n.gz\nContent-Transfer-Encoding: base64\n"
           "Launch-Index: 2\n\n" +
           b64 + "\n"));
  REQUIRE(parts.size() == 1);
  CHECK(parts[0].content_type == "text/x-shellscript");
  CHECK(parts[0].payload == "#!/bin/sh\necho z\n");
  CHECK(parts[0].filename == "n.gz");
  CHECK(parts[0].launch_index == "2");
}

TEST_CASE("Transfer encodings decode; charset, headers and launch index are kept") {
  auto parts = MustParse(
      Mime("--B\nContent-Type: text/x-shellscript; charset=\"ISO-8859-1\"\n"
           "Content-Transfer-Encoding: base64\nLaunch-Index: 007\nX-S3us-Origin: top\n"
           "X-Other: dropped\n\nIyEvYmluL3NoCg==\n"
           "--B\nContent-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\n"
           "#!/bin/sh\necho =E2=82=AC=\n!\n"));
  REQUIRE(parts.size() == 2);
  CHECK(parts[0].payload == "#!/bin/sh\n");
  CHECK(parts[0].charset == "iso-8859-1");
  CHECK(parts[0].launch_index == "7");
  REQUIRE(parts[0].headers.size() == 3);  // Content-Type, Launch-Index, X-S3us-Origin
  CHECK(parts[0].headers[2] == std::pair<std::string, std::string>("X-S3us-Origin", "top"));
  CHECK(parts[1].payload == "#!/bin/sh\necho \xe2\x82\xac!");
}

TEST_CASE("ELF parts cloud-init leaves untyped become executables; libmagic is recorded") {
  std::string elf(
      "\x7f"
      "ELF\x02\x01\x01",
      7);
  elf += std::string(9, '\0');
  elf += std::string("\x02\x00\x3e\x00\x01\x00\x00\x00", 8) + std::string(200, '\0');
  auto parts = MustParse(elf);
  CHECK(parts[0].content_type == "application/x-executable");
  CHECK(parts[0].magic == "application/x-executable");
  ParseOptions no_magic;
  no_magic.sniff_with_libmagic = false;
  CHECK(MustParse(elf, no_magic)[0].content_type == "text/x-not-multipart");
  CHECK(MustParse("hello\n")[0].magic == "text/plain");
}

TEST_CASE("Each limit has its own kLimitExceeded error") {
  ParseOptions o;
  o.limits.max_input_bytes = 10;
  auto r = Parse("#!/bin/sh\necho\n", o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == ErrorCode::kLimitExceeded);
  CHECK(r.error().message() == "user data is 15 bytes, over the limit of 10");

  o = {};
  o.limits.max_decompressed_bytes = 1 << 20;
  std::string bomb = Gzip(std::string(8 << 20, 'a'));  // ~8 KB in, 8 MiB out
  r = Parse(bomb, o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() == "part 1: decompressed user data is over the limit of 1048576 bytes");

  o = {};
  o.limits.max_depth = 2;
  std::string deep = "MIME-Version: 1.0\n";
  for (int i = 0; i < 3; ++i) {
    deep += "Content-Type: multipart/mixed; boundary=B" + std::to_string(i) + "\n\n--B" +
            std::to_string(i) + "\n";
  }
  r = Parse(deep + "\nx\n", o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() == "mime part 1: multipart nesting is deeper than 2");

  o = {};
  o.limits.max_parts = 2;
  r = Parse(Mime("--B\n\na\n--B\n\nb\n--B\n\nc\n"), o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == ErrorCode::kLimitExceeded);
  CHECK(r.error().message() == "more than 2 mime parts");
  r = Parse("#cloud-config-archive\n[a, b, c]\n", o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() == "part 1: cloud-config-archive has more than 2 entries");

  o = {};
  o.limits.max_header_bytes = 100;
  r = Parse(Mime("--B\nX-Long: " + std::string(200, 'x') + "\n\na\n"), o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message() == "mime part 1: header block is over the limit of 100 bytes");
}

TEST_CASE("Malformed input gives one error naming the part and the cause") {
  struct Case {
    std::string blob;
    const char* error;
  };
  const Case cases[] = {
      {Mime("--B\nContent-Type: text/plain\n\na\n--B\nContent-Type: application/gzip\n\nnot gz\n"),
       "part 2: cannot decompress application/gzip payload of 6 bytes: not a gzipped file"},
      {"MIME-Version: 1.0\nContent-Type: text/plain\n\n\xff\n",
       "MIME user data is not valid UTF-8 at byte 44 (cloud-init fails on it too)"},
      {Mime("--B\nContent-Type: message/rfc822\n\nSubject: x\n\nhi\n"),
       "mime part 1: message/rfc822 parts (embedded messages) are not supported"},
      {"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=Z\n\nno parts here\n",
       "mime part 1: multipart/mixed has no boundary line '--Z' (cloud-init would drop its "
       "content)"},
      {Mime("--B\nContent-Transfer-Encoding: x-uuencode\n\nbegin 644 x\n"),
       "part 1: content-transfer-encoding x-uuencode is not supported"},
      {"#cloud-config-archive\n- 5\n",
       "part 1: archive entry 1: is neither a mapping nor a string (cloud-init skips it)"},
      {"#cloud-config-archive\n- {type: nonsense, content: x}\n",
       "part 1: archive entry 1: type 'nonsense' has no '/'"},
  };
  for (const auto& c : cases) {
    auto r = Parse(c.blob);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == ErrorCode::kInvalidInput);
    CHECK(r.error().ToString() == c.error);
  }
}

TEST_CASE("ParseIncludeList reads #include lists as cloud-init does") {
  Part p;
  p.content_type = kTypeInclude;
  p.payload = "#include http://a\n# comment\n\n  http://b  \r\n#include-once http://c\nhttp://d\n";
  auto r = ParseIncludeList(p);
  REQUIRE(r.ok());
  REQUIRE(r->size() == 4);
  CHECK((*r)[0].url == "http://a");
  CHECK((*r)[1].url == "http://b");
  CHECK((*r)[1].line == 4);
  CHECK_FALSE((*r)[1].once);
  CHECK((*r)[2].once);
  CHECK((*r)[3].once);
}

TEST_CASE("ParseIncludeList rejects bad s3-include lines by line number") {
  Part p;
  p.content_type = kTypeS3Include;
  struct Case {
    const char* payload;
    const char* error;
  };
  const Case cases[] = {
      {"#s3-include\ns3://b/k\ns3://b/j sha256=abc\n", "line 3: sha256 must be 64 hex digits"},
      {"#s3-include s3://b/k sha256=abc\n", "line 1: sha256 must be 64 hex digits"},
  };
  for (const auto& c : cases) {
    p.payload = c.payload;
    auto r = ParseIncludeList(p);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message() == c.error);
  }
  p.content_type = kTypeShellScript;
  CHECK_FALSE(ParseIncludeList(p).ok());
}

TEST_CASE("Fuzzer findings stay fixed: each input gives a value or an error") {
  // yaml-bin-non-ascii: yaml-cpp's !!binary decoder read outside its table.
  std::ifstream in(std::string(S3US_TEST_DATA_DIR) + "/userdata/regressions/yaml-binary-non-ascii",
                   std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  REQUIRE_FALSE(ss.str().empty());
  auto r = Parse(ss.str());
  REQUIRE_FALSE(r.ok());
  // Its bytes are not UTF-8, which PyYAML refuses before any !!binary is decoded.
  CHECK(r.error().message() ==
        "part 1: cloud-config-archive is not YAML PyYAML loads (line 1: invalid trailing UTF-8 "
        "octet): cloud-init would ignore it");
  // Non-ASCII text that is UTF-8 reaches the decoder, which refuses it.
  auto utf8 = Parse("#cloud-config-archive\n- content: !!binary caf\xc3\xa9\n");
  REQUIRE_FALSE(utf8.ok());
  CHECK(utf8.error().message() == "part 1: archive entry 1: !!binary content is not base64");
}

// Found by the bulk differential (tests/userdata/hostile_differential.py); each has a
// corpus blob too.
TEST_CASE("PyRawUnicodeEscape: Latin-1 bytes below U+0100, escapes above, bad bytes copied") {
  CHECK(PyRawUnicodeEscape("a\xc2\xa0"
                           "b") ==
        "a\xa0"
        "b");
  CHECK(PyRawUnicodeEscape("\xe2\x80\x83x") == "\\u2003x");
  CHECK(PyRawUnicodeEscape("\xf0\x9f\x98\x80") == "\\U0001f600");
  CHECK(PyRawUnicodeEscape("\xff\xc3") == "\xff\xc3");
}

TEST_CASE("An unencoded part is typed by the raw-unicode-escape of its text") {
  auto parts = MustParse(
      Mime("--B\nContent-Type: text/plain\n\n\xc2\xa0#!/bin/sh\n"
           "--B\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\nwqAjIS9iaW4vc2gK\n"
           "--B\nContent-Type: text/plain\n\n \t#!/bin/sh\n"));
  REQUIRE(parts.size() == 3);
  CHECK(parts[0].content_type == "text/plain");  // U+00A0 is byte 0xa0 there: no blank
  CHECK(parts[0].payload == "\xc2\xa0#!/bin/sh");
  CHECK(parts[1].content_type == "text/x-shellscript");  // decoded bytes: a blank
  CHECK(parts[2].content_type == "text/x-shellscript");
}

TEST_CASE("#include lines of an unencoded part strip no non-ASCII blank, as Python reads them") {
  auto parts =
      MustParse(Mime("--B\nContent-Type: text/x-include-url\n\n\xc2\xa0http://a/x\n http://a/y \n"
                     "--B\nContent-Type: text/x-include-url\nContent-Transfer-Encoding: base64\n\n"
                     "wqBodHRwOi8vYS94Cg==\n"));
  REQUIRE(parts.size() == 2);
  CHECK(parts[0].held_as_str);
  auto unencoded = ParseIncludeList(parts[0]);
  REQUIRE(unencoded.ok());
  REQUIRE(unencoded->size() == 2);
  CHECK((*unencoded)[0].url == "\xc2\xa0http://a/x");  // no URL: the fetch fails, as there
  CHECK((*unencoded)[1].url == "http://a/y");
  auto decoded = ParseIncludeList(parts[1]);
  REQUIRE(decoded.ok());
  REQUIRE(decoded->size() == 1);
  CHECK((*decoded)[0].url == "http://a/x");
}

TEST_CASE("RFC 2231 characters sent unencoded are one byte each, as Python takes them") {
  auto parts = MustParse(Mime(
      "--B\nContent-Type: text/x-shellscript\n"
      "Content-Disposition: attachment; filename*=utf-8''caf\xc3\xa9%C3%A9.sh\n\n#!/bin/sh\n"
      "--B\nContent-Type: text/x-shellscript\n"
      "Content-Disposition: attachment; filename*=latin-1''d\xc3\xa9j\xc3\xa0.sh\n\n#!/bin/sh\n"
      "--B\nContent-Type: text/x-shellscript\n"
      "Content-Disposition: attachment; filename=\"caf\xc3\xa9.sh\"\n\n#!/bin/sh\n"));
  REQUIRE(parts.size() == 3);
  CHECK(parts[0].filename == "caf\xef\xbf\xbd\xc3\xa9.sh");
  CHECK(parts[1].filename == "d\xc3\xa9j\xc3\xa0.sh");
  CHECK(parts[2].filename == "caf\xc3\xa9.sh");  // not RFC 2231: the text as sent
}

}  // namespace
}  // namespace s3us::userdata

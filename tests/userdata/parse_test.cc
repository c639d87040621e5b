#include <memory>
#include <optional>

#include "core/crypto.h"
#include "tests/fakes/gzip.h"
#include "tests/userdata/must_parse.h"
#include "userdata/parse.h"

#include <catch2/catch.hpp>

namespace s3us::userdata {
namespace {

using testing::MustParse;

TEST_CASE("Parse types a plain script blob by its first line") {
  auto parts = MustParse("#!/bin/sh\necho hi\n");
  REQUIRE(parts.size() == 1);
  CHECK(parts[0].index == 1);
  CHECK(parts[0].content_type == "text/x-shellscript");
  CHECK(parts[0].filename == "part-001");
  CHECK(parts[0].payload == "#!/bin/sh\necho hi\n");
}

TEST_CASE("Parse splits a multipart message into ordered parts") {
  std::string blob =
      "Content-Type: multipart/mixed; boundary=\"XX\"\r\nMIME-Version: 1.0\r\n\r\n"
      "preamble\r\n--XX\r\nContent-Type: text/x-shellscript\r\n"
      "Content-Disposition: attachment; filename=\"a.sh\"\r\n\r\n#!/bin/sh\r\necho a\r\n"
      "--XX\r\nContent-Type: text/plain\r\n\r\n#s3-include\r\ns3://b/k\r\n--XX--\r\nepilogue\r\n";
  auto parts = MustParse(blob);
  REQUIRE(parts.size() == 2);
  CHECK(parts[0].filename == "a.sh");
  CHECK(parts[0].payload == "#!/bin/sh\r\necho a");
  CHECK(parts[1].content_type == "text/x-s3-include");
  CHECK(parts[1].declared_type == "text/plain");
  CHECK(parts[1].filename == "part-002");
}

TEST_CASE("Parse with strict encodings refuses broken gzip and base64 that cloud-init keeps") {
  // gzip of "#!/bin/sh\n" with its CRC flipped, and the same cut short.
  const std::string gz(
      "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff\x53\x56\xd4\x4f\xca\xcc"
      "\xd3\x2f\xce\xe0\x02\x00\x1d\x9d\xfb\x04\x0a\x00\x00\x00",
      30);
  std::string bad_crc = gz;
  bad_crc[gz.size() - 8] ^= 0x7f;
  const std::string mime =
      "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n--XX\n"
      "Content-Type: text/x-shellscript\nContent-Transfer-Encoding: base64\n\n";
  ParseOptions strict;
  strict.strict_encodings = true;
  CHECK(MustParse(gz, strict)[0].payload == "#!/bin/sh\n");
  CHECK(MustParse(mime + "IyEvYmluL3NoCg==\n--XX--\n", strict)[0].payload == "#!/bin/sh\n");
  for (const std::string& blob : {bad_crc, gz.substr(0, 20)}) {
    CHECK(MustParse(blob)[0].content_type == "text/x-not-multipart");
    auto r = Parse(blob, strict);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == ErrorCode::kInvalidInput);
    CHECK(r.error().message().starts_with("the gzip data is corrupt: "));
  }
  for (const char* body : {"IyEvYmluL3NoCg\n", "!!!not*base64$$$\n", "IyEv YmluL3NoCg==x\n"}) {
    INFO(body);
    std::string blob = mime + body + "--XX--\n";
    CHECK(MustParse(blob).size() == 1);
    auto r = Parse(blob, strict);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message() == "part 1: the base64 content is corrupt");
  }
}

// A PayloadWriter that records each result that went through it and can be made to fail.
struct RecordingWriter : PayloadWriter {
  std::vector<std::string>* results;
  bool fail;
  std::string bytes;
  RecordingWriter(std::vector<std::string>* r, bool f) : results(r), fail(f) {}
  Status Write(std::string_view chunk) override {
    if (fail) return Error(ErrorCode::kIo, "disk full");
    bytes.append(chunk);
    return Ok();
  }
  Result<Payload> Finish() override {
    results->push_back(bytes);
    return Payload(bytes);
  }
};

TEST_CASE("A gunzipped object goes through the decoded writer, a MIME one is mapped back") {
  // gzip of "#!/bin/sh\n".
  const std::string gz(
      "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff\x53\x56\xd4\x4f\xca\xcc"
      "\xd3\x2f\xce\xe0\x02\x00\x1d\x9d\xfb\x04\x0a\x00\x00\x00",
      30);
  std::vector<std::string> results;
  bool fail = false;
  ParseOptions o;
  o.strict_encodings = true;
  o.new_decoded_writer = [&] { return std::make_unique<RecordingWriter>(&results, fail); };
  auto parts = MustParse(gz, o);
  REQUIRE(parts.size() == 1);
  CHECK(results == std::vector<std::string>{"#!/bin/sh\n"});
  CHECK(parts[0].content_type == "text/x-shellscript");
  CHECK(parts[0].payload == "#!/bin/sh\n");

  SECTION("a MIME document inside is split as without a writer, its part through one") {
    const std::string mime =
        "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n--XX\n"
        "Content-Type: text/x-shellscript\n\n#!/bin/sh\necho a\n--XX--\n";
    const std::string mime_gz = testing::Gzip(mime);
    results.clear();
    auto split = MustParse(mime_gz, o);
    REQUIRE(split.size() == 1);
    CHECK(results == std::vector<std::string>{mime, "#!/bin/sh\necho a"});
    CHECK(split[0].payload == "#!/bin/sh\necho a");
  }
  SECTION("a writer that fails is the parse's failure") {
    fail = true;
    auto r = Parse(gz, o);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == ErrorCode::kIo);
    CHECK(r.error().message() == "disk full");
  }
}

TEST_CASE("A gunzip offers each chunk to on_gunzipped first, and stops at its first error") {
  const std::string held = "#!/bin/sh\n" + std::string(1 << 20, '#') + "\n";
  const std::string gz = testing::Gzip(held);
  uint64_t offered = 0;
  uint64_t room = 100000;
  ParseOptions o;
  o.strict_encodings = true;
  o.on_gunzipped = [&](uint64_t n) -> Status {
    offered += n;
    if (offered > room) return Error(ErrorCode::kLimitExceeded, "no room");
    return Ok();
  };
  std::vector<std::string> results;
  for (bool writer : {false, true}) {
    INFO((writer ? "through a writer" : "in memory"));
    o.new_decoded_writer = nullptr;
    if (writer) {
      o.new_decoded_writer = [&] { return std::make_unique<RecordingWriter>(&results, false); };
    }
    offered = 0;
    room = held.size();
    auto parts = MustParse(gz, o);
    CHECK(offered == held.size());
    REQUIRE(parts.size() == 1);
    CHECK(parts[0].payload == held);

    offered = 0;
    room = 100000;
    auto r = Parse(gz, o);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().ToString() == "no room");
    CHECK(offered > room);
    CHECK(offered <= room + (64 << 10));  // one chunk past the room, then it stopped
  }
  CHECK(results == std::vector<std::string>{held});  // the refused one was never finished
}

std::string Base64Of(const std::string& bytes) {
  return Base64Encode(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

TEST_CASE("MIME parts go through the decoded writer as decoded, a gzip part then what it holds") {
  const std::string mime =
      "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n"
      "--XX\nContent-Type: text/x-shellscript\n\n#!/bin/sh\necho plain\n"
      "--XX\nContent-Type: text/x-shellscript\nContent-Transfer-Encoding: base64\n\n"
      "IyEvYmluL3NoCmVjaG8gYjY0Cg==\n"
      "--XX\nContent-Type: application/x-gzip\nContent-Transfer-Encoding: base64\n\n" +
      Base64Of(testing::Gzip("#!/bin/sh\necho gz\n")) + "\n--XX--\n";
  std::vector<std::string> results;
  ParseOptions o;
  o.strict_encodings = true;
  o.new_decoded_writer = [&] { return std::make_unique<RecordingWriter>(&results, false); };
  auto with = MustParse(mime, o);
  auto without = MustParse(mime);
  REQUIRE(with.size() == 3);
  REQUIRE(without.size() == 3);
  for (size_t i = 0; i < with.size(); ++i) {
    CHECK(with[i].content_type == without[i].content_type);
    CHECK(with[i].payload == *without[i].payload.memory());
  }
  CHECK(results == std::vector<std::string>{"#!/bin/sh\necho plain", "#!/bin/sh\necho b64\n",
                                            testing::Gzip("#!/bin/sh\necho gz\n"),
                                            "#!/bin/sh\necho gz\n"});
}

// decomp_gzip decodes what it gunzipped as UTF-8: cloud-init fails the part, and with
// ERROR_ON_USER_DATA_FAILURE all user data.
TEST_CASE("A gzip part whose gunzipped bytes are not UTF-8 is refused, naming the part") {
  auto doc = [](const std::string& script) {
    return testing::Mime(
        "--B\nContent-Type: text/x-shellscript\n\n#!/bin/sh\necho first\n"
        "--B\nContent-Type: application/x-gzip\nContent-Transfer-Encoding: base64\n\n" +
        Base64Of(testing::Gzip(script)) + "\n");
  };
  auto r = Parse(doc("#!/bin/sh\necho caf\xe9\n"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == ErrorCode::kInvalidInput);
  CHECK(r.error().message() ==
        "part 2: the gunzipped application/x-gzip payload is not valid UTF-8 at byte 18 "
        "(cloud-init fails on it too)");
  auto parts = MustParse(doc("#!/bin/sh\necho caf\xc3\xa9\n"));
  REQUIRE(parts.size() == 2);
  CHECK(parts[1].content_type == "text/x-shellscript");
}

// Python decodes base64 and quoted-printable text from its raw-unicode-escape, not its UTF-8:
// U+00A0 is the byte 0xa0 there, no blank, so cloud-init leaves this part text/plain (and
// fails writing it); é is 0xe9, and writing that script fails.
TEST_CASE("A base64 or quoted-printable part with literal non-ASCII text is refused") {
  const std::pair<std::string, size_t> bodies[] = {{"\xc2\xa0#!/bin/sh\necho hi\n", 0},
                                                   {"#!/bin/sh\necho caf\xc3\xa9\n", 18}};
  for (std::string cte : {"quoted-printable", "base64"}) {
    for (const auto& [body, at] : bodies) {
      INFO(cte << " " << body);
      auto r = Parse(testing::Mime(
          "--B\nContent-Type: text/plain\nContent-Transfer-Encoding: " + cte + "\n\n" + body));
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().code() == ErrorCode::kInvalidInput);
      CHECK(r.error().message() ==
            "part 1: the " + cte + " content holds a non-ASCII character at byte " +
                std::to_string(at) + " (cloud-init decodes it otherwise, or fails)");
    }
  }
  // Encoded, the same text is a script to both.
  auto parts = MustParse(
      testing::Mime("--B\nContent-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\n"
                    "=C2=A0#!/bin/sh\n"));
  CHECK(parts[0].content_type == "text/x-shellscript");
}

TEST_CASE("ParseIncludeList reads s3-include lines with pins") {
  Part p;
  p.content_type = kTypeS3Include;
  p.payload = "#s3-include\n\n# comment\ns3://b/k sha256=" + std::string(64, 'A') + "\n";
  auto r = ParseIncludeList(p);
  REQUIRE(r.ok());
  REQUIRE(r->size() == 1);
  CHECK((*r)[0].line == 4);
  CHECK((*r)[0].url == "s3://b/k");
  CHECK((*r)[0].sha256 == std::string(64, 'a'));
  p.payload = "#s3-include\ns3://b/k\ns3://b/j sha256=xyz\n";
  auto bad = ParseIncludeList(p);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message() == "line 3: sha256 must be 64 hex digits");
}

TEST_CASE("ParseIncludeList keeps everything but trailing known options as the URL") {
  const std::string pin(64, 'c');
  const std::string pin2(64, 'd');
  struct Case {
    std::string line, url;
    std::optional<std::string> sha256;
  };
  const Case cases[] = {
      {"s3://b/dir/with space.sh", "s3://b/dir/with space.sh", {}},
      {"s3://b/two  spaces\tand tab.sh  ", "s3://b/two  spaces\tand tab.sh", {}},
      {"s3://b/with space.sh sha256=" + pin, "s3://b/with space.sh", pin},
      {"s3://b/a+b%20c=d&e~f.sh", "s3://b/a+b%20c=d&e~f.sh", {}},
      {"s3://b/k md5=abc", "s3://b/k md5=abc", {}},
      {"s3://b/k x=1 sha256=" + pin, "s3://b/k x=1", pin},
      {"arn:aws:s3:::b/\xc3\xbc ni/./../x//y", "arn:aws:s3:::b/\xc3\xbc ni/./../x//y", {}},
      // A key that itself ends in " sha256=<hex>": give a pin after it.
      {"s3://b/k sha256=" + pin + " SHA256=" + pin2, "s3://b/k sha256=" + pin, pin2},
      {"#s3-include s3://b/k 1.sh", "s3://b/k 1.sh", {}},
  };
  for (const Case& c : cases) {
    Part p;
    p.content_type = kTypeS3Include;
    p.payload = "#s3-include\n" + c.line + "\n";
    auto r = ParseIncludeList(p);
    INFO(c.line);
    REQUIRE(r.ok());
    REQUIRE(r->size() == 1);
    CHECK((*r)[0].url == c.url);
    CHECK((*r)[0].sha256 == c.sha256);
  }
}

TEST_CASE("ParseIncludeList reads signer= beside sha256= in either order") {
  const std::string pin(64, 'e');
  Part p;
  p.content_type = kTypeS3Include;
  p.payload = "#s3-include\ns3://b/k signer=deploy@example.com sha256=" + pin +
              "\ns3://b/j sha256=" + pin + " signer=ops\ns3://b/signer=x.sh\n";
  auto r = ParseIncludeList(p);
  REQUIRE(r.ok());
  REQUIRE(r->size() == 3);
  CHECK((*r)[0].url == "s3://b/k");
  CHECK((*r)[0].signer == "deploy@example.com");
  CHECK((*r)[0].sha256 == pin);
  CHECK((*r)[1].url == "s3://b/j");
  CHECK((*r)[1].signer == "ops");
  // Only a blank-separated trailing token is an option.
  CHECK((*r)[2].url == "s3://b/signer=x.sh");
  CHECK_FALSE((*r)[2].signer);

  p.payload = "#s3-include\ns3://b/k signer=\n";
  auto empty = ParseIncludeList(p);
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().message() == "line 2: signer= needs a principal");
}

TEST_CASE("InlineSignerLines finds the #s3-allowed-signer lines of an #s3-include part") {
  Part p;
  p.content_type = kTypeS3Include;
  p.payload =
      "#s3-include\n#s3-allowed-signer deploy@example.com ssh-ed25519 AAAA\n"
      "# a comment\n  #S3-Allowed-Signer\tops ssh-ed25519 BBBB  \n"
      "#s3-allowed-signers not this\ns3://b/k\n";
  auto lines = InlineSignerLines(p).value();
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].line == 2);
  CHECK(lines[0].text == "deploy@example.com ssh-ed25519 AAAA");
  CHECK(lines[1].line == 4);
  CHECK(lines[1].text == "ops ssh-ed25519 BBBB");
  auto entries = ParseIncludeList(p);
  REQUIRE_FALSE(entries.ok());  // the near miss on line 5: below
  p.payload = "#s3-include\n#s3-allowed-signer deploy@example.com ssh-ed25519 AAAA\ns3://b/k\n";
  entries = ParseIncludeList(p);
  REQUIRE(entries.ok());
  CHECK(entries->size() == 1);  // the trust lines are comments to the URL list
  p.content_type = kTypeInclude;
  CHECK(InlineSignerLines(p).value().empty());
}

TEST_CASE("ParseIncludeList refuses trust lines that would not be honoured") {
  Part p;
  p.content_type = kTypeS3Include;
  auto error = [&p](const std::string& payload) {
    p.payload = payload;
    auto r = ParseIncludeList(p);
    return r.ok() ? std::string("ok") : r.error().message();
  };
  CHECK(error("#s3-include\n#s3-allowed-signers deploy@example.com ssh-ed25519 AAAA\ns3://b/k\n") ==
        "line 2: unknown directive #s3-allowed-signers, did you mean #s3-allowed-signer");
  CHECK(error("#s3-include\n#S3-Allowed-Signer-X y\n") ==
        "line 2: unknown directive #S3-Allowed-Signer-X, did you mean #s3-allowed-signer");
  CHECK(error("#s3-include\n#s3-inclde\n") ==
        "line 2: unknown directive #s3-inclde, did you mean #s3-include");
  CHECK(error("#s3-include\n#S3-ALLOWED-SIGNER\tx ssh-ed25519 AAAA\n# s3-anything\n") == "ok");
  // After the marker on its line: a comment, as cloud-init reads "#include # ..." (it said
  // '"" is not an S3 location'); a directive there would be lost, so it is an error.
  CHECK(error("#s3-include # boot list\ns3://b/k\n") == "ok");
  CHECK(error("#s3-include #s3-allowed-signer d@e ssh-ed25519 AAAA\ns3://b/k\n") ==
        "line 1: #s3-allowed-signer after #s3-include: give it a line of its own");
  // cloud-init's lists: a trust line there is honoured by nothing.
  for (const char* type : {kTypeInclude, kTypeIncludeOnce}) {
    p.content_type = type;
    CHECK(error("#include\n#s3-allowed-signer deploy@example.com ssh-ed25519 AAAA\ns3://b/k\n") ==
          "line 2: #s3-allowed-signer applies only inside an #s3-include part");
    CHECK(error("#include-once\n#S3-ALLOWED-SIGNERS x\n") ==
          "line 2: #s3-allowed-signer applies only inside an #s3-include part");
    CHECK(error("#include\n# s3-allowed-signer is a comment here\nhttp://h/x\n") == "ok");
  }
}

TEST_CASE(
    "ParseIncludeList numbers lines across CRLF, a last line without a break and a big list") {
  Part p;
  p.content_type = kTypeS3Include;
  p.payload = "#s3-include\r\n\r\n  s3://b/one  \r\n#\ns3://b/two";
  auto r = ParseIncludeList(p);
  REQUIRE(r.ok());
  REQUIRE(r->size() == 2);
  CHECK((*r)[0].line == 3);
  CHECK((*r)[0].url == "s3://b/one");
  CHECK((*r)[1].line == 5);
  CHECK((*r)[1].url == "s3://b/two");
  // A million comment lines then one entry: read in place, the entry keeps its number.
  std::string big = "#s3-include\n";
  for (int i = 0; i < 1000000; ++i) big += "#\n";
  p.payload = big + "s3://b/last\n";
  r = ParseIncludeList(p);
  REQUIRE(r.ok());
  REQUIRE(r->size() == 1);
  CHECK((*r)[0].line == 1000002);
  p.content_type = kTypeInclude;
  p.payload =
      "#include\rhttps://a/x\x0bhttps://a/y\r\n#include-once\n" + big.substr(12) + "https://a/z";
  r = ParseIncludeList(p);
  REQUIRE(r.ok());
  REQUIRE(r->size() == 3);
  CHECK((*r)[1].line == 3);
  CHECK((*r)[2].line == 1000005);
  CHECK((*r)[2].once);
}

}  // namespace
}  // namespace s3us::userdata

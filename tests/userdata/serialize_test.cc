#include "userdata/serialize.h"

#include <algorithm>
#include <catch2/catch.hpp>

#include "userdata/parse.h"

namespace s3us::userdata {
namespace {

Part MakePart(std::string type, std::string filename, std::string payload) {
  Part p;
  p.content_type = std::move(type);
  p.filename = std::move(filename);
  p.payload = std::move(payload);
  return p;
}

TEST_CASE("SerializeMime round-trips every part byte-exact through our parser") {
  std::vector<Part> parts;
  parts.push_back(MakePart(kTypeShellScript, "setup.sh", "#!/bin/sh\r\necho hi\r\n"));
  parts.push_back(MakePart(kTypeCloudConfig, "app.yaml", "#cloud-config\nfoo: bar  \n"));
  parts.push_back(MakePart(kTypeCloudBoothook, "boot hook;1.sh", "#cloud-boothook\necho boot"));
  std::string binary(
      "\x7f"
      "ELF\x00\x01\xff--boundary",
      17);
  parts.push_back(MakePart(kTypeExecutable, "t\xc3\xa4st", binary));
  parts[1].origin.source = Source{};
  parts[1].origin.source->url = "s3://b/k\xc3\xbc";
  parts[1].origin.source->sha256 = std::string(64, 'a');
  parts[1].origin.chain.push_back({2, 3, "s3://b/k"});

  std::string doc = SerializeMime(parts).value();
  Result<std::vector<Part>> back = Parse(doc);
  REQUIRE(back.ok());
  REQUIRE(back->size() == parts.size());
  for (size_t i = 0; i < parts.size(); ++i) {
    INFO("part " << i);
    CHECK((*back)[i].payload == *parts[i].payload.memory());
    CHECK((*back)[i].filename == parts[i].filename);
  }
  CHECK((*back)[0].content_type == kTypeShellScript);
  CHECK((*back)[1].content_type == kTypeCloudConfig);
  CHECK((*back)[2].content_type == kTypeCloudBoothook);
}

TEST_CASE("SerializeMime records the origin in ASCII headers on one line each") {
  Part p = MakePart(kTypeShellScript, "x.sh", "#!/bin/sh\n");
  p.origin.source = Source{};
  p.origin.source->url = "s3://b/\xc3\xbc\nnext";
  p.origin.source->version_id = "v1";
  p.origin.source->etag = "abc";
  p.origin.source->sha256 = std::string(64, 'f');
  std::string doc = SerializeMime({p}).value();
  CHECK(doc.find("X-S3us-Source: s3://b/%C3%BC%0Anext\n") != std::string::npos);
  CHECK(doc.find("X-S3us-Version-Id: v1\n") != std::string::npos);
  CHECK(doc.find("X-S3us-Object-Sha256: " + std::string(64, 'f') + "\n") != std::string::npos);
  for (unsigned char c : doc) CHECK((c == '\n' || (c >= 0x20 && c < 0x7f)));
}

TEST_CASE("SerializeMime hands Merge-Type on to cloud-init, unfolded") {
  auto parts = Parse(
      "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n--B\n"
      "Content-Type: text/cloud-config\nMerge-Type: list(append)+\n\tdict(recurse_array)+str()\n"
      "X-Other: dropped\n\n#cloud-config\na: [1]\n--B\n\n#cloud-config-archive\n"
      "- {content: '#cloud-config', x-merge-type: 'dict(replace)', other: x}\n--B--\n");
  REQUIRE(parts.ok());
  REQUIRE(parts->size() == 2);
  std::string doc = SerializeMime(*parts).value();
  CHECK(doc.find("Merge-Type: list(append)+ dict(recurse_array)+str()\n") != std::string::npos);
  CHECK(doc.find("x-merge-type: dict(replace)\n") != std::string::npos);
  CHECK(doc.find("X-Other") == std::string::npos);
  CHECK(doc.find("other:") == std::string::npos);

  auto back = Parse(doc);
  REQUIRE(back.ok());
  REQUIRE(back->size() == 2);
  CHECK(std::count((*back)[0].headers.begin(), (*back)[0].headers.end(),
                   std::pair<std::string, std::string>(
                       "Merge-Type", "list(append)+ dict(recurse_array)+str()")) == 1);
}

// cloud-init types an unencoded part by the raw-unicode-escape of its text: a no-break space
// before #! is no blank there, and the part stays text/plain; base64 would make it a script.
TEST_CASE("SerializeMime writes the non-ASCII text of an unencoded part as it came") {
  std::string blob =
      "Content-Type: multipart/mixed; boundary=\"XX\"\nMIME-Version: 1.0\n\n--XX\n"
      "Content-Type: text/plain\n\n\xc2\xa0#!/bin/sh\necho nbsp\n\n--XX\n"
      "Content-Type: text/plain\nContent-Transfer-Encoding: 8bit\n\n"
      "\xe2\x80\x83#cloud-config\r\na: 1\r\n\r\n--XX\n"
      "Content-Type: text/plain\n\n#!/bin/sh\necho ascii\n--XX--\n";
  auto parts = Parse(blob);
  REQUIRE(parts.ok());
  REQUIRE(parts->size() == 3);
  CHECK((*parts)[0].content_type == kTypePlain);
  CHECK((*parts)[1].content_type == kTypePlain);
  CHECK((*parts)[2].content_type == kTypeShellScript);

  std::string doc = SerializeMime(*parts).value();
  CHECK(doc.find("Content-Transfer-Encoding: 8bit\n"
                 "Content-Disposition: attachment; filename=\"part-001\"\n\n"
                 "\xc2\xa0#!/bin/sh\necho nbsp\n\n--") != std::string::npos);
  CHECK(doc.find("\xe2\x80\x83#cloud-config\r\na: 1\r\n\n--") != std::string::npos);
  CHECK(doc.find("echo ascii") == std::string::npos);  // ASCII: the same bytes in base64

  auto back = Parse(doc);
  REQUIRE(back.ok());
  REQUIRE(back->size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    INFO("part " << i + 1);
    CHECK((*back)[i].content_type == (*parts)[i].content_type);
    CHECK((*back)[i].payload == *(*parts)[i].payload.memory());
    CHECK((*back)[i].held_as_str == (i < 2));
  }
}

TEST_CASE("SerializeMime keeps a trailing carriage return of unencoded text") {
  for (std::string text : {"caf\xc3\xa9\r", "caf\xc3\xa9\r\n", "caf\xc3\xa9\n\r", "\xc3\xa9"}) {
    INFO(text);
    Part p = MakePart(kTypePlain, "t", text);
    p.held_as_str = true;
    auto back = Parse(SerializeMime({p}).value());
    REQUIRE(back.ok());
    REQUIRE(back->size() == 1);
    CHECK((*back)[0].payload == text);
    CHECK((*back)[0].held_as_str);
  }
}

TEST_CASE("SerializeMime refuses text held as a str that is not UTF-8") {
  Part p = MakePart(kTypePlain, "t", "caf\xe9");
  p.index = 2;
  p.held_as_str = true;
  auto doc = SerializeMime({p});
  REQUIRE_FALSE(doc.ok());
  CHECK(doc.error().ToString() ==
        "part 2: text cloud-init holds as a string is not UTF-8 and cannot be written so that "
        "it holds it again");
}

// cloud-init types a gunzipped part by its text, and holds that text as a str: its handler
// gets the raw-unicode-escape, as of an unencoded part.
TEST_CASE("SerializeMime writes the non-ASCII text of a gunzipped part unencoded") {
  Part p = MakePart(kTypeShellScriptPerBoot, "s", "#!/bin/sh\necho caf\xc3\xa9\n");
  p.declared_type = "application/x-gzip";
  std::string doc = SerializeMime({p}).value();
  CHECK(doc.find("Content-Transfer-Encoding: 8bit\n") != std::string::npos);
  CHECK(doc.find("\n\n#!/bin/sh\necho caf\xc3\xa9\n\n--") != std::string::npos);
}

// cloud-init reads a gunzipped include list from the gunzipped text, as it reads base64.
TEST_CASE("SerializeMime writes a gunzipped include list in base64") {
  Part p = MakePart(kTypeIncludeOnce, "i", "#include-once\n\xc2\xa0http://a/caf\xc3\xa9\n");
  p.declared_type = "application/x-gzip";
  std::string doc = SerializeMime({p}).value();
  CHECK(doc.find("Content-Transfer-Encoding: base64\n") != std::string::npos);
  p.held_as_str = true;  // an unencoded one is read from its escape
  CHECK(SerializeMime({p}).value().find("Content-Transfer-Encoding: 8bit\n") != std::string::npos);
}

TEST_CASE("SerializeMime refuses a gunzipped part its escape would type otherwise") {
  // U+00C2 U+00A0: escaped, the bytes C2 A0 are a no-break space, a blank before #!.
  Part p = MakePart(kTypePlain, "s", "\xc3\x82\xc2\xa0#!/bin/sh\n");
  p.index = 1;
  p.declared_type = "application/x-gzip";
  auto doc = SerializeMime({p});
  REQUIRE_FALSE(doc.ok());
  CHECK(doc.error().ToString() ==
        "part 1: written unencoded, cloud-init would not type it text/plain; in base64, it "
        "would get other bytes");
}

TEST_CASE("SerializeMime is deterministic") {
  std::vector<Part> parts{MakePart(kTypeShellScript, "a", "#!/bin/sh\n")};
  CHECK(SerializeMime(parts).value() == SerializeMime(parts).value());
}

}  // namespace
}  // namespace s3us::userdata

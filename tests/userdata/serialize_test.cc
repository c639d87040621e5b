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

TEST_CASE("SerializeMime is deterministic") {
  std::vector<Part> parts{MakePart(kTypeShellScript, "a", "#!/bin/sh\n")};
  CHECK(SerializeMime(parts).value() == SerializeMime(parts).value());
}

}  // namespace
}  // namespace s3us::userdata

// resolve's output is checked by a second, independent MIME implementation (mimetic): the
// structure, content types, filenames and decoded payloads must agree with what we wrote.
#include <mimetic/mimetic.h>

#include <catch2/catch.hpp>
#include <sstream>

#include "userdata/serialize.h"

namespace s3us::userdata {
namespace {

std::string DecodeBase64(const std::string& text) {
  std::string out;
  mimetic::Base64::Decoder decoder;
  mimetic::decode(text.begin(), text.end(), decoder, std::back_inserter(out));
  return out;
}

TEST_CASE("mimetic reads resolve output as the same parts") {
  std::vector<Part> parts;
  for (int i = 0; i < 5; ++i) {
    Part p;
    p.content_type = i % 2 ? kTypeCloudConfig : kTypeShellScript;
    p.filename = "part" + std::to_string(i) + ".txt";
    p.payload = (i % 2 ? "#cloud-config\nx: " : "#!/bin/sh\necho ") + std::string(100 * i, 'y') +
                "\r\n--not-a-boundary\n";
    parts.push_back(p);
  }
  std::string doc = SerializeMime(parts).value();

  std::istringstream in(doc);
  mimetic::MimeEntity root(in);
  const mimetic::Header& header = root.header();
  CHECK(header.contentType().type() == "multipart");
  CHECK(header.contentType().subtype() == "mixed");
  const mimetic::MimeEntityList& children = root.body().parts();
  REQUIRE(children.size() == parts.size());
  size_t i = 0;
  for (const mimetic::MimeEntity* child : children) {
    INFO("part " << i);
    const mimetic::Header& h = child->header();
    CHECK(h.contentType().type() + "/" + h.contentType().subtype() == parts[i].content_type);
    CHECK(h.contentTransferEncoding().mechanism() == "base64");
    CHECK(h.contentDisposition().param("filename") == parts[i].filename);
    std::string body(child->body().begin(), child->body().end());
    CHECK(DecodeBase64(body) == parts[i].payload);
    ++i;
  }
}

}  // namespace
}  // namespace s3us::userdata

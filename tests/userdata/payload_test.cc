// Tests of Payload: the same operations on bytes in memory and in a verified file, and no
// way to read a file-backed payload short.
#include "userdata/payload.h"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>

#include "core/crypto.h"
#include "core/files.h"
#include "userdata/launch_index.h"
#include "userdata/parse.h"

namespace s3us::userdata {
namespace {

std::string Pattern(size_t size) {
  std::string out = "#!/bin/sh\necho big\n";
  while (out.size() < size) out += "# line " + std::to_string(out.size()) + "\n";
  out.resize(size);
  return out;
}

// An unlinked temp file holding `bytes`, recorded as `recorded` bytes long.
Payload FilePayload(const std::string& bytes, uint64_t recorded) {
  FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  int fd = dup(fileno(f));
  std::fclose(f);
  REQUIRE(WriteAll(fd, bytes).ok());
  auto file = std::make_shared<const PayloadFile>(fd, recorded, Sha256Hex(bytes));
  Result<Payload> p = Payload::FromFile(file);
  REQUIRE(p.ok());
  return *p;
}

std::string CopiedOut(const Payload& p) {
  FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  REQUIRE(p.CopyTo(fileno(f)).ok());
  std::string out(static_cast<size_t>(p.size()), '\0');
  REQUIRE(pread(fileno(f), out.data(), out.size(), 0) == static_cast<ssize_t>(out.size()));
  std::fclose(f);
  return out;
}

TEST_CASE("Payload gives the same bytes from memory and from a file") {
  std::string bytes = Pattern(3 << 20);
  for (const Payload& p : {Payload(bytes), FilePayload(bytes, bytes.size())}) {
    INFO((p.in_memory() ? "memory" : "file"));
    CHECK(p.size() == bytes.size());
    CHECK(p.head() == std::string_view(bytes).substr(0, Payload::kHeadBytes));
    CHECK(p.ReadHead(10).value() == bytes.substr(0, 10));
    Result<PayloadView> view = p.View(bytes.size());
    REQUIRE(view.ok());
    CHECK(view->bytes() == bytes);
    PayloadView moved = std::move(*view);  // the mapping goes with the view
    CHECK(moved.bytes() == bytes);
    CHECK(p.Sha256Hex() == Sha256Hex(bytes));
    CHECK(CopiedOut(p) == bytes);
    std::string chunks;
    REQUIRE(p.ForEachChunk([&](std::string_view c) {
               chunks += c;
               return Ok();
             }).ok());
    CHECK(chunks == bytes);
    CHECK(p == bytes);
    CHECK_FALSE(p == bytes.substr(1));
  }
  CHECK(Payload(bytes).memory() != nullptr);
  CHECK(FilePayload(bytes, bytes.size()).memory() == nullptr);
}

TEST_CASE("A mapped view stays whole when its pages are given back behind a pass") {
  std::string bytes = Pattern(13 << 20);
  for (const Payload& p : {Payload(bytes), FilePayload(bytes, bytes.size())}) {
    INFO((p.in_memory() ? "memory" : "file"));
    PayloadView view = std::move(p.View(bytes.size()).value());
    for (size_t offset : {size_t{1} << 20, size_t{5} << 20, size_t{9} << 20, bytes.size(),
                          size_t{4} << 20, bytes.size() + 1}) {
      view.Release(offset);
      CHECK(view.bytes() == bytes);  // what was given back faults in again
    }
  }
}

TEST_CASE("Payload never reads a file-backed payload short") {
  std::string bytes = Pattern(100000);
  Payload over = FilePayload(bytes, bytes.size() + 10);  // the file lost its tail
  Result<PayloadView> view = over.View(over.size());     // mapped, it would crash when read
  REQUIRE_FALSE(view.ok());
  CHECK(view.error().code() == ErrorCode::kIo);
  CHECK_FALSE(over.ForEachChunk([](std::string_view) { return Ok(); }).ok());
  FILE* f = std::tmpfile();
  CHECK_FALSE(over.CopyTo(fileno(f)).ok());
  std::fclose(f);

  Payload p = FilePayload(bytes, bytes.size());
  CHECK(p.View(bytes.size() - 1).error().code() == ErrorCode::kLimitExceeded);
  CHECK(FilePayload("", 0).View(0).value().bytes().empty());
}

TEST_CASE("ParseObject keeps a plain object in its file and maps gzip or MIME ones") {
  std::string script = Pattern(2 << 20);
  Result<std::vector<Part>> parts = ParseObject(FilePayload(script, script.size()));
  REQUIRE(parts.ok());
  REQUIRE(parts->size() == 1);
  CHECK((*parts)[0].content_type == kTypeShellScript);
  CHECK((*parts)[0].payload.memory() == nullptr);
  CHECK((*parts)[0].payload == script);

  std::string mime =
      "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"B\"\n\n--B\n"
      "Content-Type: text/x-shellscript\n\n#!/bin/sh\necho a\n--B--\n";
  parts = ParseObject(FilePayload(mime, mime.size()));
  REQUIRE(parts.ok());
  REQUIRE(parts->size() == 1);
  CHECK((*parts)[0].payload.memory() != nullptr);
  CHECK((*parts)[0].payload == "#!/bin/sh\necho a");

  ParseOptions small;
  small.limits.max_input_bytes = 1000;
  parts = ParseObject(FilePayload(script, script.size()), small);
  REQUIRE_FALSE(parts.ok());
  CHECK(parts.error().code() == ErrorCode::kLimitExceeded);
}

// A file-backed cloud-config is looked for the key in chunks: one spelled with escapes
// ("launch\x2dindex", which PyYAML decodes) is found there too.
TEST_CASE("A file-backed cloud-config's launch-index key spelled with escapes is read") {
  std::string config = "#cloud-config\n";
  while (config.size() < (3u << 20)) config += "# filler " + std::to_string(config.size()) + "\n";
  for (const char* key : {"launch-index", "\"launch\\x2dindex\"", "\"launch\\u002dindex\""}) {
    INFO(key);
    std::string text = config + key + ": 4\n";
    Part part;
    part.content_type = "text/cloud-config";
    part.payload = FilePayload(text, text.size());
    Result<std::optional<std::string>> index = LaunchIndexOf(part, text.size());
    REQUIRE(index.ok());
    CHECK(*index == "4");
  }
}

}  // namespace
}  // namespace s3us::userdata

#include "cli/progress.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "core/strings.h"
#include "net/sinks.h"

namespace s3us::cli {
namespace {

std::string Contents(std::FILE* f) {
  std::string out(static_cast<size_t>(std::ftell(f)), '\0');
  std::rewind(f);
  out.resize(std::fread(out.data(), 1, out.size(), f));
  return out;
}

TEST_CASE("progress lines show the name, bytes of total, percent, rate and ETA") {
  CHECK(FormatProgress("app.tar.gz", 1536, std::nullopt, 0) == "app.tar.gz  1.5 KiB");
  CHECK(FormatProgress("x", 10 << 20, std::nullopt, 2.0) == "x  10.0 MiB  5.0 MiB/s");
  CHECK(FormatProgress("x", 10 << 20, 40 << 20, 2.0) ==
        "x  10.0 MiB of 40.0 MiB  25%  5.0 MiB/s  ETA 6s");
  CHECK(FormatProgress("x", 1 << 20, 1000ull << 20, 1.0) ==
        "x  1.0 MiB of 1000.0 MiB  0%  1.0 MiB/s  ETA 16m39s");
  CHECK(FormatProgress("x", 40 << 20, 40 << 20, 2.0) ==
        "x  40.0 MiB of 40.0 MiB  100%  20.0 MiB/s");
  CHECK(FormatProgress("empty", 0, 0, 0) == "empty  0 B of 0 B");
}

TEST_CASE("a progress sink that is off writes nothing and forwards every byte") {
  std::FILE* out = std::tmpfile();
  REQUIRE(out != nullptr);
  net::MemorySink inner;
  {
    ProgressSink progress(inner, "obj", out, ProgressMode::kOff);
    net::Response head;
    head.status = 200;
    head.headers.emplace_back("content-length", "7");
    REQUIRE(progress.Begin(head).ok());
    REQUIRE(progress.Write("abc").ok());
    REQUIRE(progress.Reset().ok());
    REQUIRE(progress.Write("defg").ok());
  }
  CHECK(inner.data() == "defg");
  CHECK(std::ftell(out) == 0);
  std::fclose(out);
}

TEST_CASE("plain progress prints whole lines without terminal escapes") {
  std::FILE* out = std::tmpfile();
  REQUIRE(out != nullptr);
  net::MemorySink inner;
  {
    ProgressSink progress(inner, "obj", out, ProgressMode::kPlain);
    net::Response head;
    head.status = 200;
    head.headers.emplace_back("content-length", "8");
    REQUIRE(progress.Begin(head).ok());
    REQUIRE(progress.Write("abcd").ok());
    // Past the first interval, so a line is drawn; the first write may have drawn one too
    // when the thread was held up that long before it, so only the last line is known.
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    REQUIRE(progress.Write("efgh").ok());
  }
  std::string text = Contents(out);
  CHECK(text.find('\033') == std::string::npos);
  CHECK(text.find('\r') == std::string::npos);
  REQUIRE_FALSE(text.empty());
  CHECK(text.back() == '\n');
  std::vector<std::string_view> lines = SplitLines(text);
  for (std::string_view line : lines) CHECK(line.starts_with("obj  "));
  CHECK(lines.back().starts_with("obj  8 B of 8 B  100%"));
  std::fclose(out);
}

}  // namespace
}  // namespace s3us::cli

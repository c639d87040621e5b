#include "cli/progress.h"

#include <poll.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <condition_variable>
#include <cstdio>
#include <mutex>
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

// Holds every fetch until Release().
class HeldFetcher : public fetch::Fetcher {
 public:
  using fetch::Fetcher::Fetch;
  Result<fetch::FetchedObject> Fetch(const fetch::Target&, const fetch::FetchOptions&) override {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait(l, [this] { return released_; });
    return Error(ErrorCode::kNotFound, "not here");
  }
  Result<std::optional<std::string>> VerifyKept(std::string_view, std::string_view,
                                                const fetch::FetchOptions&) override {
    return std::optional<std::string>();
  }
  void Release() {
    std::lock_guard<std::mutex> l(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
};

// Reads `fd` until `text` has been seen (or 30 s have passed); what was read.
std::string ReadUntil(int fd, const std::string& text) {
  std::string seen;
  for (int waited = 0; seen.find(text) == std::string::npos && waited < 300; ++waited) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    seen.append(buf, static_cast<size_t>(n));
  }
  return seen;
}

// It drew only when an object finished, and counted only the fetches started: one slow
// object showed nothing while it ran, and three at --max-parallel 1 showed "1 of 1".
TEST_CASE("the fetching line counts queued objects and is redrawn while a slow one runs") {
  for (ProgressMode mode : {ProgressMode::kRedraw, ProgressMode::kPlain}) {
    for (size_t known : {size_t{0}, size_t{3}}) {
      int p[2];
      REQUIRE(pipe(p) == 0);
      std::FILE* out = fdopen(p[1], "w");
      REQUIRE(out != nullptr);
      HeldFetcher fetcher;
      std::string expected = known == 0 ? "fetching: 0 of 1 object" : "fetching: 0 of 3 objects";
      {
        ProgressFetcher progress(fetcher, out, mode, std::chrono::milliseconds(0));
        if (known > 0) progress.Known(known);
        std::thread slow([&progress] { (void)progress.Fetch("s3://bkt/slow", {}); });
        CHECK(ReadUntil(p[0], expected).find(expected) != std::string::npos);
        fetcher.Release();
        slow.join();
      }
      std::fclose(out);
      close(p[0]);
    }
  }
}

TEST_CASE("the fetching line is not drawn when progress is off") {
  std::FILE* out = std::tmpfile();
  REQUIRE(out != nullptr);
  HeldFetcher fetcher;
  fetcher.Release();
  {
    ProgressFetcher progress(fetcher, out, ProgressMode::kOff, std::chrono::milliseconds(0));
    progress.Known(2);
    (void)progress.Fetch("s3://bkt/a", {});
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  CHECK(std::ftell(out) == 0);
  std::fclose(out);
}

}  // namespace
}  // namespace s3us::cli

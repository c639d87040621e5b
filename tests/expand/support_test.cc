// Tests of the expander's small helpers: chain rendering, the include-once cache.
#include <sys/stat.h>

#include <unistd.h>
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "core/files.h"
#include "expand/include_chain.h"
#include "expand/include_once_cache.h"
#include "fakes/temp_dir.h"

namespace s3us::expand {
namespace {

TEST_CASE("DescribeChain names the top-level part, then each object by URL") {
  using userdata::IncludeStep;
  CHECK(DescribeChain({}).empty());
  CHECK(DescribeChain({IncludeStep{2, 3, "s3://a/x"}}) == "part 2 line 3");
  CHECK(DescribeChain({IncludeStep{2, 1, "s3://a/x"}, IncludeStep{1, 3, "s3://a/y"},
                       IncludeStep{3, 1, "s3://a/z"}}) ==
        "part 2 line 1 → s3://a/x line 3 → s3://a/y part 3 line 1");
}

TEST_CASE("DescribeChain names the first and the last two steps of a longer chain, URLs cut") {
  // Eight objects with 900-byte keys in a cycle made a 4 KiB line that ended before the
  // word "cycle".
  using userdata::IncludeStep;
  std::vector<IncludeStep> chain{IncludeStep{1, 2, ""}};
  for (int i = 0; i < 7; ++i) {
    chain.push_back(IncludeStep{1, 1, "s3://bkt/" + std::to_string(i) + std::string(900, 'k')});
  }
  std::string shown = DescribeChain(chain);
  CHECK(shown.rfind("part 1 line 2 → … (5 includes) … → s3://bkt/4kkk", 0) == 0);
  CHECK(shown.find("s3://bkt/5kkk") != std::string::npos);
  CHECK(shown.find("s3://bkt/0kkk") == std::string::npos);
  CHECK(shown.size() < 500);
}

// The body of `url` in the cache, nullopt when absent.
std::optional<std::string> Cached(const IncludeOnceCache& cache, std::string_view url) {
  Result<std::optional<int>> fd = cache.Open(url);
  REQUIRE(fd.ok());
  if (!fd->has_value()) return std::nullopt;
  std::string body;
  char buf[4096];
  ssize_t n;
  while ((n = read(**fd, buf, sizeof buf)) > 0) body.append(buf, static_cast<size_t>(n));
  close(**fd);
  return body;
}

TEST_CASE("IncludeOnceCache stores bodies 0600 in a 0700 directory and finds them again") {
  testing::TempDir tmp;
  const std::string& root = tmp.path;
  IncludeOnceCache cache(root + "/urlcache");
  CHECK_FALSE(Cached(cache, "https://h/x?sig=1").has_value());

  REQUIRE(cache.Store("https://h/x?sig=1", "#!/bin/sh\n", "").ok());
  // Staged until the plan is accepted: not found yet.
  CHECK_FALSE(Cached(cache, "https://h/x?sig=1").has_value());
  REQUIRE(CommitIncludeOnce(cache.TakeStaged()).ok());
  CHECK(Cached(cache, "https://h/x?sig=1") == "#!/bin/sh\n");
  // Keyed by the whole URL: another signature is another entry.
  CHECK_FALSE(Cached(cache, "https://h/x?sig=2").has_value());

  struct stat dir, file;
  REQUIRE(stat((root + "/urlcache").c_str(), &dir) == 0);
  REQUIRE(stat(cache.PathFor("https://h/x?sig=1").c_str(), &file) == 0);
  CHECK((dir.st_mode & 07777) == 0700);
  CHECK((file.st_mode & 07777) == 0600);

  // A symlink in the body's place is never followed.
  std::filesystem::remove(cache.PathFor("https://h/x?sig=1"));
  std::filesystem::create_symlink("/etc/hostname", cache.PathFor("https://h/x?sig=1"));
  CHECK_FALSE(cache.Open("https://h/x?sig=1").ok());
  // Nor is a FIFO opened (that would wait for a writer for ever): it is no cached body.
  std::filesystem::remove(cache.PathFor("https://h/x?sig=1"));
  REQUIRE(mkfifo(cache.PathFor("https://h/x?sig=1").c_str(), 0600) == 0);
  Result<std::optional<int>> fifo = cache.Open("https://h/x?sig=1");
  REQUIRE_FALSE(fifo.ok());
  CHECK(fifo.error().code() == ErrorCode::kUnsafePath);
  CHECK(fifo.error().ToString() ==
        "reading the include-once cache: " + cache.PathFor("https://h/x?sig=1") +
            " is not a regular file");
}

TEST_CASE("IncludeOnceCache drops what a failed plan staged, and keeps nothing of it") {
  // A corrupt or invalid body that was kept would fail every later boot, never fetched again.
  testing::TempDir tmp;
  const std::string& root = tmp.path;
  {
    IncludeOnceCache cache(root + "/urlcache");
    REQUIRE(cache.Store("https://h/bad", "#cloud-config\npackages: [jq\n", "").ok());
  }
  IncludeOnceCache later(root + "/urlcache");
  CHECK_FALSE(Cached(later, "https://h/bad").has_value());
  CHECK(std::filesystem::is_empty(root + "/urlcache"));
  REQUIRE(later.Store("https://h/bad", "x", "").ok());
  DropIncludeOnce(later.TakeStaged());
  CHECK(std::filesystem::is_empty(root + "/urlcache"));
}

TEST_CASE("IncludeOnceCache with no directory is off") {
  IncludeOnceCache cache("");
  CHECK_FALSE(cache.enabled());
  CHECK(cache.Store("https://h/x", "x", "").ok());
  CHECK_FALSE(Cached(cache, "https://h/x").has_value());
}

}  // namespace
}  // namespace s3us::expand

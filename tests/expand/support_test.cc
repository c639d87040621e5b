// Tests of the expander's small helpers: chain rendering, the include-once cache.
#include <sys/stat.h>

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

std::string TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "s3us-expand-XXXXXX").string();
  REQUIRE(mkdtemp(tmpl.data()) != nullptr);
  return tmpl;
}

TEST_CASE("IncludeOnceCache stores bodies 0600 in a 0700 directory and finds them again") {
  std::string root = TempDir();
  IncludeOnceCache cache(root + "/urlcache");
  Result<std::optional<std::string>> miss = cache.Lookup("https://h/x?sig=1", 1000);
  REQUIRE(miss.ok());
  CHECK_FALSE(miss->has_value());

  REQUIRE(cache.Store("https://h/x?sig=1", "#!/bin/sh\n").ok());
  Result<std::optional<std::string>> hit = cache.Lookup("https://h/x?sig=1", 1000);
  REQUIRE(hit.ok());
  REQUIRE(hit->has_value());
  CHECK(**hit == "#!/bin/sh\n");
  // Keyed by the whole URL: another signature is another entry.
  CHECK_FALSE(cache.Lookup("https://h/x?sig=2", 1000)->has_value());

  struct stat dir, file;
  REQUIRE(stat((root + "/urlcache").c_str(), &dir) == 0);
  REQUIRE(stat(cache.PathFor("https://h/x?sig=1").c_str(), &file) == 0);
  CHECK((dir.st_mode & 07777) == 0700);
  CHECK((file.st_mode & 07777) == 0600);

  Result<std::optional<std::string>> too_big = cache.Lookup("https://h/x?sig=1", 3);
  REQUIRE_FALSE(too_big.ok());
  CHECK(too_big.error().code() == ErrorCode::kLimitExceeded);
  std::filesystem::remove_all(root);
}

TEST_CASE("IncludeOnceCache with no directory is off") {
  IncludeOnceCache cache("");
  CHECK_FALSE(cache.enabled());
  CHECK(cache.Store("https://h/x", "x").ok());
  CHECK_FALSE(cache.Lookup("https://h/x", 10)->has_value());
}

}  // namespace
}  // namespace s3us::expand

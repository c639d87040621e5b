#include "expand/include_once_cache.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "fakes/temp_dir.h"

namespace s3us::expand {
namespace {

namespace fs = std::filesystem;

constexpr const char* kUrl = "https://b-1.s3.amazonaws.com/k?X-Amz-Signature=abc";

using testing::TempDir;

// What another user could leave in the cache: a body at the URL's name.
void Plant(const std::string& path, mode_t mode) {
  std::ofstream(path) << "#!/bin/sh\necho planted\n";
  ::chmod(path.c_str(), mode);
}

std::string Refusal(const IncludeOnceCache& cache) {
  Result<std::optional<int>> opened = cache.Open(kUrl);
  if (opened.ok() && opened->has_value()) close(**opened);
  if (opened.ok()) return opened->has_value() ? "opened" : "absent";
  CHECK(opened.error().code() == ErrorCode::kUnsafePath);
  return opened.error().ToString();
}

TEST_CASE("IncludeOnceCache opens what it stored and finds nothing where nothing is") {
  TempDir t;
  IncludeOnceCache cache(t.path + "/instances/i-1/include-once");
  CHECK(Refusal(cache) == "absent");  // nor its parent: the first run
  REQUIRE(cache.Store(kUrl, userdata::Payload(std::string("#!/bin/sh\n")), "").ok());
  CHECK(Refusal(cache) == "absent");  // staged until its plan is accepted
  REQUIRE(CommitIncludeOnce(cache.TakeStaged()).ok());
  CHECK(Refusal(cache) == "opened");
  CHECK(Refusal(IncludeOnceCache("")) == "absent");
}

TEST_CASE("IncludeOnceCache keeps a body's signature with it, staged and kept together") {
  TempDir t;
  IncludeOnceCache cache(t.path + "/include-once");
  REQUIRE(cache.Store(kUrl, userdata::Payload(std::string("#!/bin/sh\n")), "SIG").ok());
  CHECK_FALSE(*cache.Signature(kUrl));  // staged only
  std::vector<std::string> staged = cache.TakeStaged();
  CHECK(staged.size() == 2);
  REQUIRE(CommitIncludeOnce(staged).ok());
  CHECK(cache.Signature(kUrl)->value() == "SIG");
  // Others could have written it: not believed.
  ::chmod((cache.PathFor(kUrl) + ".sig").c_str(), 0666);
  auto refused = cache.Signature(kUrl);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code() == ErrorCode::kUnsafePath);
  // A body stored without a signature takes the old one away.
  REQUIRE(cache.Store(kUrl, userdata::Payload(std::string("#!/bin/sh\nnew\n")), "").ok());
  CHECK(cache.TakeStaged().size() == 1);
  CHECK_FALSE(*cache.Signature(kUrl));
}

TEST_CASE("IncludeOnceCache refuses a directory others can write to, before reading it") {
  TempDir t;
  const std::string dir = t.path + "/include-once";
  IncludeOnceCache cache(dir);
  fs::create_directory(dir);
  Plant(cache.PathFor(kUrl), 0600);
  for (mode_t open_mode : {0777, 0770, 0703}) {
    INFO(open_mode);
    ::chmod(dir.c_str(), open_mode);
    CHECK(Refusal(cache) ==
          "reading the include-once cache: " + dir + " is writable by group or others");
  }
  ::chmod(dir.c_str(), 0700);
  CHECK(Refusal(cache) == "opened");
  ::chmod(t.path.c_str(), 0777);  // an ancestor: it could be swapped for another directory
  CHECK(Refusal(cache).find(t.path + " is writable by group or others, who could replace") !=
        std::string::npos);
  ::chmod(t.path.c_str(), 0700);
}

TEST_CASE("IncludeOnceCache refuses an entry others can write to") {
  TempDir t;
  IncludeOnceCache cache(t.path + "/include-once");
  REQUIRE(cache.Store(kUrl, userdata::Payload(std::string("#!/bin/sh\n")), "").ok());
  REQUIRE(CommitIncludeOnce(cache.TakeStaged()).ok());
  for (mode_t open_mode : {0666, 0620, 0602}) {
    INFO(open_mode);
    ::chmod(cache.PathFor(kUrl).c_str(), open_mode);
    CHECK(Refusal(cache) == "reading the include-once cache: " + cache.PathFor(kUrl) +
                                " is writable by group or others");
  }
}

TEST_CASE("IncludeOnceCache refuses a directory or an entry another user owns") {
  if (geteuid() != 0) {
    WARN("not root: cannot give a file to another user");
    return;
  }
  TempDir t;
  const std::string dir = t.path + "/include-once";
  IncludeOnceCache cache(dir);
  fs::create_directory(dir);
  ::chmod(dir.c_str(), 0755);
  Plant(cache.PathFor(kUrl), 0644);
  REQUIRE(::chown(dir.c_str(), 65534, 65534) == 0);
  CHECK(Refusal(cache) == "reading the include-once cache: " + dir + " is owned by another user");
  REQUIRE(::chown(dir.c_str(), 0, 0) == 0);
  CHECK(Refusal(cache) == "opened");
  REQUIRE(::chown(cache.PathFor(kUrl).c_str(), 65534, 65534) == 0);
  CHECK(Refusal(cache) ==
        "reading the include-once cache: " + cache.PathFor(kUrl) + " is owned by another user");
}

TEST_CASE("A read-only cache that cannot be opened reads as empty, with a warning") {
  // A dry run by a user who may not read root's state failed on the cache it only reads.
  if (geteuid() != 0) {
    WARN("not root: cannot give a directory to another user");
    return;
  }
  TempDir t;
  const std::string dir = t.path + "/include-once";
  fs::create_directory(dir);
  ::chmod(dir.c_str(), 0700);
  REQUIRE(::chown(dir.c_str(), 65534, 65534) == 0);
  CHECK_FALSE(IncludeOnceCache(dir).Open(kUrl).ok());
  Result<std::optional<int>> fd = IncludeOnceCache(dir, /*read_only=*/true).Open(kUrl);
  REQUIRE(fd.ok());
  CHECK_FALSE(fd->has_value());
  REQUIRE(::chown(dir.c_str(), 0, 0) == 0);
}

}  // namespace
}  // namespace s3us::expand

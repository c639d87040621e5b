#include "core/files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>

namespace s3us {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  TempDir() {
    char tmpl[] = "/tmp/s3us-test-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string path;
};

mode_t ModeOf(const std::string& p) {
  struct stat st;
  REQUIRE(lstat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

TEST_CASE("MakePrivateDir creates nested directories with mode 0700") {
  TempDir t;
  std::string dir = t.path + "/a/b/state";
  REQUIRE(MakePrivateDir(dir).ok());
  CHECK(ModeOf(dir) == 0700);
  REQUIRE(MakePrivateDir(dir).ok());  // idempotent
}

TEST_CASE("MakePrivateDir refuses a planted symlink") {
  TempDir t;
  fs::create_directory(t.path + "/elsewhere");
  fs::create_directory_symlink(t.path + "/elsewhere", t.path + "/state");
  auto s = MakePrivateDir(t.path + "/state/run");
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code() == ErrorCode::kUnsafePath);
  CHECK_FALSE(fs::exists(t.path + "/elsewhere/run"));
}

TEST_CASE("WriteNewFile never writes through a symlink") {
  TempDir t;
  std::string victim = t.path + "/victim";
  REQUIRE(WriteNewFile(victim, "original", 0600).ok());
  fs::create_symlink(victim, t.path + "/script");
  auto s = WriteNewFile(t.path + "/script", "evil", 0700);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code() == ErrorCode::kUnsafePath);
  CHECK(*ReadFile(victim, 100) == "original");
}

TEST_CASE("AtomicFile leaves nothing behind unless committed") {
  TempDir t;
  std::string dest = t.path + "/out";
  {
    auto f = AtomicFile::Create(dest, 0600);
    REQUIRE(f.ok());
    REQUIRE(f->Write("partial").ok());
  }
  CHECK_FALSE(fs::exists(dest));
  CHECK(fs::is_empty(t.path));

  auto f = AtomicFile::Create(dest, 0640);
  REQUIRE(f.ok());
  REQUIRE(f->Write("junk").ok());
  REQUIRE(f->Truncate().ok());
  REQUIRE(f->Write("whole").ok());
  REQUIRE(f->Commit().ok());
  CHECK(*ReadFile(dest, 100) == "whole");
  CHECK(ModeOf(dest) == 0640);
}

TEST_CASE("ReadFile enforces its size limit and names missing files") {
  TempDir t;
  REQUIRE(WriteNewFile(t.path + "/f", "0123456789", 0600).ok());
  auto r = ReadFile(t.path + "/f", 5);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == ErrorCode::kLimitExceeded);
  auto missing = ReadFile(t.path + "/nope", 5);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code() == ErrorCode::kNotFound);
  CHECK(missing.error().ToString() == "no such file " + t.path + "/nope");
}

}  // namespace
}  // namespace s3us

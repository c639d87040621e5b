#include "core/private_paths.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

#include "core/files.h"
#include "fakes/temp_dir.h"

namespace s3us {
namespace {

namespace fs = std::filesystem;

using testing::TempDir;

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

TEST_CASE("MakePrivateDir refuses an ancestor group or others can write to, unless sticky") {
  TempDir t;
  const std::string shared = t.path + "/shared";
  fs::create_directory(shared);
  for (mode_t open_mode : {0777, 0775, 0757}) {
    INFO(open_mode);
    ::chmod(shared.c_str(), open_mode);
    auto s = MakePrivateDir(shared + "/a/state");
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code() == ErrorCode::kUnsafePath);
    CHECK(s.error().ToString() ==
          shared + " is writable by group or others, who could replace " + shared + "/a/state");
    CHECK(fs::is_empty(shared));
    CHECK(OpenPrivateDir(shared + "/a").error().code() == ErrorCode::kUnsafePath);
  }
  ::chmod(shared.c_str(), 01777);  // as /tmp: nobody else can rename what is ours in it
  REQUIRE(MakePrivateDir(shared + "/a/state").ok());
  ::chmod((shared + "/a").c_str(), 0777);  // an ancestor we made, opened up later
  CHECK(MakePrivateDir(shared + "/a/state").error().code() == ErrorCode::kUnsafePath);
  Result<int> fd = OpenPrivateDir(shared + "/a/state");
  REQUIRE_FALSE(fd.ok());
  CHECK(fd.error().code() == ErrorCode::kUnsafePath);
}

TEST_CASE("MakePrivateDir checks the working directory's ancestors of a relative path") {
  TempDir t;
  const std::string shared = t.path + "/shared";
  fs::create_directory(shared);
  ::chmod(shared.c_str(), 0777);
  const fs::path saved = fs::current_path();
  fs::current_path(shared);
  auto s = MakePrivateDir("state");
  fs::current_path(saved);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code() == ErrorCode::kUnsafePath);
  CHECK(s.error().ToString().rfind(shared + " is writable by group or others", 0) == 0);
  CHECK(fs::is_empty(shared));
}

TEST_CASE("MakePrivateDir refuses an ancestor another user owns") {
  if (geteuid() != 0) {
    WARN("not root: cannot give a directory to another user");
    return;
  }
  TempDir t;
  const std::string theirs = t.path + "/theirs";
  fs::create_directory(theirs);
  ::chmod(theirs.c_str(), 0755);
  REQUIRE(::chown(theirs.c_str(), 65534, 65534) == 0);
  auto s = MakePrivateDir(theirs + "/state");
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code() == ErrorCode::kUnsafePath);
  CHECK(s.error().ToString() == theirs + " is owned by another user (uid 65534), who could " +
                                    "replace " + theirs + "/state");
  CHECK(fs::is_empty(theirs));
  REQUIRE(::chown(theirs.c_str(), 0, 0) == 0);  // root's: as /var/lib
  CHECK(MakePrivateDir(theirs + "/state").ok());
}

TEST_CASE("MakePrivateDir refuses an existing directory others can write to, never chmods it") {
  TempDir t;
  for (mode_t open_mode : {0777, 0770, 0703}) {
    INFO(open_mode);
    const std::string dir = t.path + "/state";
    fs::create_directory(dir);
    ::chmod(dir.c_str(), open_mode);
    auto s = MakePrivateDir(dir);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code() == ErrorCode::kUnsafePath);
    CHECK(s.error().ToString() == dir + " is writable by group or others");
    CHECK(ModeOf(dir) == open_mode);
    CHECK(OpenPrivateDir(dir).error().code() == ErrorCode::kUnsafePath);
    fs::remove(dir);
  }
  const std::string readable = t.path + "/readable";
  fs::create_directory(readable);
  ::chmod(readable.c_str(), 0755);
  REQUIRE(MakePrivateDir(readable).ok());  // only read and search bits: narrowed
  CHECK(ModeOf(readable) == 0700);
  Result<int> fd = OpenPrivateDir(readable);
  REQUIRE(fd.ok());
  close(*fd);
}

TEST_CASE("MakePrivateTempDir makes a fresh 0700 directory in the parent it is given") {
  TempDir t;
  std::string parent = t.path + "/state";
  REQUIRE(MakePrivateDir(parent).ok());
  auto a = MakePrivateTempDir("work-", parent);
  auto b = MakePrivateTempDir("work-", parent);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(*a != *b);
  for (const std::string& dir : {*a, *b}) {
    CHECK(fs::path(dir).parent_path() == parent);
    CHECK(fs::path(dir).filename().string().rfind("work-", 0) == 0);
    CHECK(IsPrivateTempDirName(fs::path(dir).filename().string(), "work-"));
    CHECK(fs::is_directory(fs::symlink_status(dir)));
    CHECK(ModeOf(dir) == 0700);
  }
  for (const char* other :
       {"work-2024", "work-notes", "work-ABCDEFGHIJ", "job-abcdefghij", "work-abcdefghijk"}) {
    CHECK_FALSE(IsPrivateTempDirName(other, "work-"));
  }
}

TEST_CASE("MakePrivateTempDir without a parent uses TMPDIR") {
  TempDir t;
  const char* saved = std::getenv("TMPDIR");
  std::string before = saved ? saved : "";
  setenv("TMPDIR", t.path.c_str(), 1);
  auto dir = MakePrivateTempDir("s3us-tmp-");
  if (saved) {
    setenv("TMPDIR", before.c_str(), 1);
  } else {
    unsetenv("TMPDIR");
  }
  REQUIRE(dir.ok());
  CHECK(fs::path(*dir).parent_path() == t.path);
  CHECK(ModeOf(*dir) == 0700);
}

// TMPDIR is shared but must be safe: whoever can replace the directory made in it could
// swap what we then sign, check or run from it.
TEST_CASE("MakePrivateTempDir refuses a TMPDIR others could replace entries of") {
  TempDir t;
  const char* saved = std::getenv("TMPDIR");
  std::string before = saved ? saved : "";
  auto with_tmpdir = [](const std::string& tmpdir) {
    setenv("TMPDIR", tmpdir.c_str(), 1);
    return MakePrivateTempDir("s3us-tmp-");
  };
  fs::create_directory(t.path + "/open");
  ::chmod((t.path + "/open").c_str(), 0777);
  fs::create_directory(t.path + "/sticky");
  ::chmod((t.path + "/sticky").c_str(), 01777);
  fs::create_directory_symlink(t.path + "/sticky", t.path + "/link");
  auto open = with_tmpdir(t.path + "/open");
  auto link = with_tmpdir(t.path + "/link");
  auto sticky = with_tmpdir(t.path + "/sticky");
  if (saved) {
    setenv("TMPDIR", before.c_str(), 1);
  } else {
    unsetenv("TMPDIR");
  }
  REQUIRE_FALSE(open.ok());
  CHECK(open.error().code() == ErrorCode::kUnsafePath);
  CHECK(fs::is_empty(t.path + "/open"));
  REQUIRE_FALSE(link.ok());
  CHECK(link.error().code() == ErrorCode::kUnsafePath);
  REQUIRE(sticky.ok());  // as /tmp
  CHECK(fs::path(*sticky).parent_path() == t.path + "/sticky");
}

TEST_CASE("MakePrivateTempDir refuses a parent reached through a symlink") {
  TempDir t;
  fs::create_directory(t.path + "/elsewhere");
  ::chmod((t.path + "/elsewhere").c_str(), 0700);
  fs::create_directory_symlink(t.path + "/elsewhere", t.path + "/state");
  for (const std::string& parent : {t.path + "/state", t.path + "/state/."}) {
    auto dir = MakePrivateTempDir("work-", parent);
    REQUIRE_FALSE(dir.ok());
    CHECK(dir.error().code() == ErrorCode::kUnsafePath);
  }
  fs::create_directory(t.path + "/elsewhere/inner");
  ::chmod((t.path + "/elsewhere/inner").c_str(), 0700);
  auto inner = MakePrivateTempDir("work-", t.path + "/state/inner");
  REQUIRE_FALSE(inner.ok());
  CHECK(inner.error().code() == ErrorCode::kUnsafePath);
  CHECK(fs::is_empty(t.path + "/elsewhere/inner"));
}

TEST_CASE("MakePrivateTempDir refuses a parent others can write to or that is missing") {
  TempDir t;
  std::string open_parent = t.path + "/shared";
  fs::create_directory(open_parent);
  ::chmod(open_parent.c_str(), 0777);
  auto shared = MakePrivateTempDir("work-", open_parent);
  REQUIRE_FALSE(shared.ok());
  CHECK(shared.error().code() == ErrorCode::kUnsafePath);
  CHECK(fs::is_empty(open_parent));
  auto missing = MakePrivateTempDir("work-", t.path + "/missing");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code() == ErrorCode::kIo);
}

// The text OpenProtectedFile opened, or its error.
std::string ProtectedRead(const std::string& path) {
  Result<int> fd = OpenProtectedFile(path);
  if (!fd.ok()) return fd.error().ToString();
  Result<std::string> text = ReadOpenFile(*fd, path, 1024);
  close(*fd);
  return text.ok() ? *text : text.error().ToString();
}

void WriteMode(const std::string& path, const std::string& text, mode_t mode) {
  REQUIRE(WriteNewFile(path, text, mode).ok());
  ::chmod(path.c_str(), mode);
}

TEST_CASE("OpenProtectedFile opens a file only root or we could have changed") {
  TempDir t;
  const std::string file = t / "allowed_signers";
  WriteMode(file, "trusted\n", 0644);
  CHECK(ProtectedRead(file) == "trusted\n");
  for (mode_t open_mode : {0664, 0646, 0666}) {
    ::chmod(file.c_str(), open_mode);
    CHECK(ProtectedRead(file) == file + " is writable by group or others");
  }
  ::chmod(file.c_str(), 0600);
  CHECK(ProtectedRead(file) == "trusted\n");
  CHECK(ProtectedRead(t / "missing") == "no such file " + t / "missing");
  REQUIRE(mkfifo((t / "fifo").c_str(), 0600) == 0);
  CHECK(ProtectedRead(t / "fifo") == t / "fifo" + " is not a regular file");
  CHECK(ProtectedRead(t.path) == t.path + " is not a regular file");
}

TEST_CASE("OpenProtectedFile refuses a directory on the way that others can write to") {
  TempDir t;
  const std::string shared = t / "shared";
  fs::create_directory(shared);
  WriteMode(shared + "/allowed_signers", "x\n", 0644);
  ::chmod(shared.c_str(), 0777);
  CHECK(ProtectedRead(shared + "/allowed_signers") ==
        shared + " is writable by group or others, who could replace " + shared +
            "/allowed_signers");
  ::chmod(shared.c_str(), 01777);  // sticky, as /tmp: only the owner may replace the file
  CHECK(ProtectedRead(shared + "/allowed_signers") == "x\n");
}

TEST_CASE("OpenProtectedFile follows a symlink we own and checks where it leads") {
  TempDir t;
  fs::create_directory(t / "real");
  WriteMode(t / "real/list", "listed\n", 0644);
  fs::create_symlink(t / "real/list", t / "absolute");
  fs::create_symlink("real/list", t / "relative");
  fs::create_directory_symlink("real", t / "dirlink");
  CHECK(ProtectedRead(t / "absolute") == "listed\n");
  CHECK(ProtectedRead(t / "relative") == "listed\n");
  CHECK(ProtectedRead(t / "dirlink/list") == "listed\n");
  CHECK(ProtectedRead(t / "dirlink/../real/list") == "listed\n");
  ::chmod((t / "real").c_str(), 0777);
  CHECK(ProtectedRead(t / "absolute") == t / "real" +
                                             " is writable by group or others, who could "
                                             "replace " +
                                             t / "absolute");
  ::chmod((t / "real").c_str(), 0755);
  fs::create_symlink(t / "nowhere", t / "dangling");
  CHECK(ProtectedRead(t / "dangling") == "no such file " + t / "nowhere");
  fs::create_symlink(t / "loop", t / "loop");
  CHECK(ProtectedRead(t / "loop") == "cannot open " + t / "loop" + ": " + std::strerror(ELOOP));
}

TEST_CASE("OpenProtectedFile refuses a file or link another user owns") {
  if (geteuid() != 0) {
    WARN("not root: cannot give a file to another user");
    return;
  }
  TempDir t;
  WriteMode(t / "theirs", "x\n", 0644);
  REQUIRE(::chown((t / "theirs").c_str(), 65534, 65534) == 0);
  CHECK(ProtectedRead(t / "theirs") == t / "theirs" + " is owned by another user (uid 65534)");
  WriteMode(t / "ours", "x\n", 0644);
  fs::create_symlink(t / "ours", t / "their-link");
  REQUIRE(::lchown((t / "their-link").c_str(), 65534, 65534) == 0);
  CHECK(ProtectedRead(t / "their-link") ==
        t / "their-link" +
            " is a symbolic link owned by another user (uid 65534), who could point it elsewhere");
}

}  // namespace
}  // namespace s3us

#include "core/files.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

#include "core/interrupt.h"
#include "fakes/fake_clock.h"

#include "fakes/temp_dir.h"

namespace s3us {
namespace {

namespace fs = std::filesystem;

using testing::TempDir;

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

TEST_CASE("WriteNewFileWith removes a file whose write failed, and names it") {
  // A script or a cloud-config cut short by a full disk stayed, to be found later as whole.
  TempDir t;
  std::string path = t.path + "/script";
  Status s = WriteNewFileWith(path, 0700, [](int fd) {
    REQUIRE(WriteAll(fd, "#!/bin/sh\necho half").ok());
    return Status(Error(ErrorCode::kIo, "cannot write: No space left on device"));
  });
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().ToString() == "writing " + path + ": cannot write: No space left on device");
  CHECK_FALSE(fs::exists(path));
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
  CHECK(fs::status(dest).permissions() == fs::perms(0640));
}

TEST_CASE("AtomicFile has no name until committed: a writer killed by SIGKILL leaves nothing") {
  TempDir t;
  std::string dest = t.path + "/out";
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    auto f = AtomicFile::Create(dest, 0600);
    bool named = !fs::is_empty(t.path);
    if (!f.ok() || !f->Write("half a download").ok() || named) _exit(1);
    raise(SIGKILL);
    _exit(2);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  CHECK(WIFSIGNALED(status));
  CHECK(fs::is_empty(t.path));

  auto f = AtomicFile::Create(dest, 0600);
  REQUIRE(f.ok());
  REQUIRE(f->Write("whole").ok());
  CHECK(fs::is_empty(t.path));
  REQUIRE(f->Commit().ok());
  CHECK(*ReadFile(dest, 100) == "whole");
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(t.path)) ++entries;
  CHECK(entries == 1);
}

TEST_CASE("AtomicFile writes a name as long as the file system allows") {
  // Its temporary name adds 16 bytes: a 250-byte name must still work.
  TempDir t;
  std::string dest = t.path + "/" + std::string(250, 'n');
  auto f = AtomicFile::Create(dest, 0600);
  REQUIRE(f.ok());
  REQUIRE(f->Write("x").ok());
  REQUIRE(f->Commit().ok());
  CHECK(*ReadFile(dest, 10) == "x");
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

TEST_CASE("ReadFile gives up on a FIFO nobody writes to at the deadline, naming it") {
  TempDir t;
  const std::string fifo = t.path + "/fifo";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  testing::FakeClock clock;
  auto r = ReadFile(fifo, 100, Deadline(clock.Monotonic()), clock);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == ErrorCode::kTimeout);
  CHECK(r.error().ToString() == "nothing more to read from " + fifo + " before the deadline");
}

TEST_CASE("ReadFile stops waiting on a FIFO nobody writes to at an interrupt") {
  TempDir t;
  const std::string fifo = t.path + "/fifo";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  testing::FakeClock clock;
  DeliverInterrupt(SIGINT);
  auto r = ReadFile(fifo, 100, Deadline(), clock);  // no deadline: only the interrupt ends it
  ResetInterruptForTesting();
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == ErrorCode::kInterrupted);
  CHECK(r.error().ToString() == "interrupted while reading " + fifo);
}

TEST_CASE("ReadFile reads a FIFO whose writer comes and goes before the deadline") {
  TempDir t;
  const std::string fifo = t.path + "/fifo";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  std::thread writer([&] {
    int fd = open(fifo.c_str(), O_WRONLY);
    REQUIRE(fd >= 0);
    CHECK(write(fd, "#!/bin/sh\n", 10) == 10);
    close(fd);
  });
  testing::FakeClock clock;
  auto r = ReadFile(fifo, 100, Deadline::After(clock, std::chrono::hours(1)), clock);
  writer.join();
  REQUIRE(r.ok());
  CHECK(*r == "#!/bin/sh\n");
}

TEST_CASE("ReadFile with no deadline refuses a FIFO, a directory and stdin at once") {
  TempDir t;
  const std::string fifo = t.path + "/fifo";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  auto r = ReadFile(fifo, 100);  // no writer: this used to wait for ever
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == ErrorCode::kIo);
  CHECK(r.error().ToString() == fifo + " is not a regular file");
  auto dir = ReadFile(t.path, 100);
  REQUIRE_FALSE(dir.ok());
  CHECK(dir.error().ToString() == t.path + " is not a regular file");
  int pipe_fds[2];
  REQUIRE(pipe(pipe_fds) == 0);
  int saved = dup(STDIN_FILENO);
  dup2(pipe_fds[0], STDIN_FILENO);
  auto in = ReadFile("-", 100);
  dup2(saved, STDIN_FILENO);
  for (int fd : {saved, pipe_fds[0], pipe_fds[1]}) close(fd);
  REQUIRE_FALSE(in.ok());
  CHECK(in.error().ToString() == "standard input is not a regular file");
}

}  // namespace
}  // namespace s3us

#include "cli/result_output.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <cstdio>
#include <functional>
#include <string>

#include "cli/exit_codes.h"

namespace s3us::cli {
namespace {

struct Ended {
  int exit_code = -1;
  std::string stderr_text;
};

// Runs `body` in a child process (the state of result_output.h is the process's) whose
// stdout is `out_fd` (-1: closed), ignoring SIGPIPE as main() does; its exit code and stderr.
Ended InChild(int out_fd, const std::function<int()>& body) {
  int err[2];
  REQUIRE(pipe(err) == 0);
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    std::signal(SIGPIPE, SIG_IGN);
    if (out_fd < 0) {
      close(STDOUT_FILENO);
    } else {
      dup2(out_fd, STDOUT_FILENO);
    }
    dup2(err[1], STDERR_FILENO);
    _exit(body());
  }
  close(err[1]);
  Ended ended;
  char buf[4096];
  for (ssize_t n; (n = read(err[0], buf, sizeof buf)) > 0;) {
    ended.stderr_text.append(buf, static_cast<size_t>(n));
  }
  close(err[0]);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  ended.exit_code = WEXITSTATUS(status);
  return ended;
}

// A plan written where it cannot arrive: WriteResult says so, and ResultExit decides.
int WritePlan() {
  if (WriteResult("part 1: text/x-shellscript\n")) return 99;
  return ResultExit(kExitOk);
}

TEST_CASE("a result that cannot be written fails the command with one line") {
  // Exit 0, silently, for plan, validate, status and replay.
  int full = open("/dev/full", O_WRONLY);
  REQUIRE(full >= 0);
  Ended on_full = InChild(full, WritePlan);
  close(full);
  CHECK(on_full.exit_code == kExitSetup);
  CHECK(on_full.stderr_text ==
        "s3-user-script: error: cannot write to standard output: No space left on device\n");

  Ended closed = InChild(-1, WritePlan);
  CHECK(closed.exit_code == kExitSetup);
  CHECK(closed.stderr_text ==
        "s3-user-script: error: cannot write to standard output: Bad file descriptor\n");
}

TEST_CASE("a reader that went away ends the command as SIGPIPE would, without a line") {
  int p[2];
  REQUIRE(pipe(p) == 0);
  close(p[0]);
  Ended ended = InChild(p[1], WritePlan);
  close(p[1]);
  CHECK(ended.exit_code == kExitBrokenPipe);
  CHECK(ended.stderr_text.empty());
}

TEST_CASE("a result that arrived leaves the exit code alone, and a failure only worsens it") {
  int null = open("/dev/null", O_WRONLY);
  REQUIRE(null >= 0);
  Ended fine = InChild(null, [] { return ResultExit(WriteResult("x") ? kExitFetch : 99); });
  CHECK(fine.exit_code == kExitFetch);
  CHECK(fine.stderr_text.empty());
  close(null);
  int full = open("/dev/full", O_WRONLY);
  REQUIRE(full >= 0);
  // Told once, however many writes fail; an interrupt's code stays.
  Ended twice = InChild(full, [] {
    WriteResult("a");
    WriteResult("b");
    return ResultExit(130);
  });
  close(full);
  CHECK(twice.exit_code == 130);
  CHECK(twice.stderr_text ==
        "s3-user-script: error: cannot write to standard output: No space left on device\n");
}

}  // namespace
}  // namespace s3us::cli

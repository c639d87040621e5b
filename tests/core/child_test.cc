#include "core/child.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "fakes/fake_clock.h"

extern char** environ;

namespace s3us {
namespace {

pid_t Start(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  REQUIRE(posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) == 0);
  return pid;
}

TEST_CASE("ReapChildBy reaps a child that exits and kills one still running at the deadline") {
  testing::FakeClock clock;
  bool killed = true;
  int status = ReapChildBy(Start({"/bin/true"}), Deadline::After(clock, std::chrono::hours(1)),
                           clock, killed);
  CHECK_FALSE(killed);
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  status = ReapChildBy(Start({"/bin/sleep", "30"}),
                       Deadline::After(clock, std::chrono::milliseconds(200)), clock, killed);
  CHECK(killed);
  CHECK((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
}

// How `yes` ends when the reader of its output goes away, started with `attr`.
int YesIntoClosedPipe(const posix_spawnattr_t* attr) {
  int fds[2];
  REQUIRE(pipe2(fds, O_CLOEXEC) == 0);  // only the dup2'd write end reaches the child
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  std::string yes = "/usr/bin/yes";
  char* argv[] = {yes.data(), nullptr};
  pid_t pid = -1;
  REQUIRE(posix_spawn(&pid, argv[0], &actions, attr, argv, environ) == 0);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  char buf[4096];
  REQUIRE(read(fds[0], buf, sizeof buf) > 0);
  close(fds[0]);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  return status;
}

TEST_CASE("DefaultSignalsAttr starts a helper with SIGPIPE at its default, as a shell does") {
  // The binary ignores SIGPIPE (cli/main.cc); a helper inherits that unless told otherwise.
  struct sigaction ignore {
  }, before{};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ignore, &before);
  int inherited = YesIntoClosedPipe(nullptr);
  DefaultSignalsAttr defaults;
  int reset = YesIntoClosedPipe(defaults.get());
  sigaction(SIGPIPE, &before, nullptr);
  CHECK((WIFEXITED(inherited) && WEXITSTATUS(inherited) != 0));  // "yes: Broken pipe"
  CHECK((WIFSIGNALED(reset) && WTERMSIG(reset) == SIGPIPE));
}

}  // namespace
}  // namespace s3us

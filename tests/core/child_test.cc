#include "core/child.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "fakes/fake_clock.h"
#include "fakes/without_pidfd.h"

extern char** environ;

namespace s3us {
namespace {

// Runs `argv` as a helper until `deadline`: its wait status; `killed` says whether it was
// still running then.
int RunUntil(const std::vector<std::string>& argv, const Deadline& deadline, Clock& clock,
             bool& killed) {
  HelperProcess helper;
  REQUIRE(helper.Start(argv, nullptr, HelperProcess::Group::kOwn) == 0);
  return helper.Finish(deadline, clock, killed);
}

TEST_CASE("HelperProcess reaps a helper that exits and kills one still running at the deadline") {
  testing::FakeClock clock;
  bool killed = true;
  int status =
      RunUntil({"/bin/true"}, Deadline::After(clock, std::chrono::hours(1)), clock, killed);
  CHECK_FALSE(killed);
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  status = RunUntil({"/bin/sleep", "30"}, Deadline::After(clock, std::chrono::milliseconds(200)),
                    clock, killed);
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

TEST_CASE("Without pidfd_open (Linux < 5.3) a child is still waited for only until the deadline") {
  int failed_step = testing::WithoutPidfd([]() -> int {
    testing::FakeClock clock;
    bool killed = true;
    int status =
        RunUntil({"/bin/true"}, Deadline::After(clock, std::chrono::hours(1)), clock, killed);
    if (killed || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return 2;
    status = RunUntil({"/bin/sleep", "30"}, Deadline::After(clock, std::chrono::milliseconds(200)),
                      clock, killed);
    if (!killed || !WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) return 3;
    // No deadline: waited for as long as it runs, not killed.
    status = RunUntil({"/bin/sh", "-c", "sleep 0.2; exit 7"}, Deadline(), clock, killed);
    if (killed || !WIFEXITED(status) || WEXITSTATUS(status) != 7) return 4;
    HelperProcess helper;
    if (helper.Start({"/bin/sh", "-c", "exit 5"}, nullptr, HelperProcess::Group::kOwn) != 0)
      return 5;
    if (helper.exit_fd() != -1) return 6;
    status = helper.Finish(Deadline(), clock, killed);
    if (killed || !WIFEXITED(status) || WEXITSTATUS(status) != 5) return 7;
    return 0;
  });
  CHECK(failed_step == 0);
}

// Fields 5 and 6 of /proc/PID/stat: the process group and the session.
std::pair<long, long> GroupAndSession(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream rest(text.substr(text.rfind(')') + 2));
  std::string state;
  long ppid = 0, group = 0, session = 0;
  rest >> state >> ppid >> group >> session;
  return {group, session};
}

TEST_CASE("HelperProcess starts a helper in a group of its own, or a session of its own") {
  testing::FakeClock clock;
  HelperProcess own, session;
  REQUIRE(own.Start({"sleep", "30"}, nullptr, HelperProcess::Group::kOwn) == 0);
  REQUIRE(session.Start({"sleep", "30"}, nullptr, HelperProcess::Group::kSession) == 0);
  CHECK(GroupAndSession(own.pid()) == std::pair<long, long>(own.pid(), getsid(0)));
  CHECK(GroupAndSession(session.pid()) == std::pair<long, long>(session.pid(), session.pid()));
  CHECK_FALSE(own.Exited());
  bool killed = false;
  int status = own.Finish(Deadline::After(clock, std::chrono::milliseconds(100)), clock, killed);
  CHECK(killed);
  CHECK((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
  HelperProcess missing;
  CHECK(missing.Start({"no-such-helper-s3us"}, nullptr, HelperProcess::Group::kOwn) == ENOENT);
}

// Reads `fd` until a newline, or EOF if `to_eof` (a guard of 20 s, far above the time either
// takes, keeps a failure from hanging the suite).
std::string ReadFrom(int fd, bool to_eof) {
  std::string out;
  char c;
  pollfd p{fd, POLLIN, 0};
  while (poll(&p, 1, 20000) == 1 && read(fd, &c, 1) == 1) {
    out += c;
    if (c == '\n' && !to_eof) break;
  }
  return out;
}

// The helper starts a `sleep` that holds its stdout, prints its pid and exits: the pipe
// reaches EOF only once that sleep is gone.
TEST_CASE("HelperProcess ends what the helper started in its group, whichever way it ends") {
  for (bool finish : {true, false}) {
    INFO((finish ? "Finish" : "destructor"));
    int fds[2];
    REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
    posix_spawn_file_actions_t io;
    posix_spawn_file_actions_init(&io);
    posix_spawn_file_actions_adddup2(&io, fds[1], STDOUT_FILENO);
    {
      HelperProcess helper;
      REQUIRE(helper.Start({"/bin/sh", "-c", "sleep 30 & echo $!"}, &io,
                           HelperProcess::Group::kOwn) == 0);
      close(fds[1]);
      CHECK(std::stol(ReadFrom(fds[0], false)) > 0);
      if (finish) {
        testing::FakeClock clock;
        bool killed = true;
        int status = helper.Finish(Deadline::After(clock, std::chrono::hours(1)), clock, killed);
        CHECK_FALSE(killed);
        CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
      }
    }
    posix_spawn_file_actions_destroy(&io);
    CHECK(ReadFrom(fds[0], true).empty());
    pollfd p{fds[0], POLLIN, 0};
    CHECK(poll(&p, 1, 0) == 1);  // EOF, not the guard
    close(fds[0]);
  }
}

}  // namespace
}  // namespace s3us

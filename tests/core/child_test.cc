#include "core/child.h"

#include <spawn.h>
#include <sys/wait.h>

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

}  // namespace
}  // namespace s3us

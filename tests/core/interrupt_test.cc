#include "core/interrupt.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "core/child.h"
#include "fakes/fake_clock.h"
#include "fakes/interrupt_when.h"
#include "fakes/temp_dir.h"

namespace s3us {
namespace {

using namespace std::chrono_literals;

// Forgets the test's interrupt however the test ends.
struct Forget {
  ~Forget() { ResetInterruptForTesting(); }
};

int FinishWithin(HelperProcess& helper, bool& killed) {
  testing::FakeClock clock;
  return helper.Finish(Deadline(), clock, killed);
}

TEST_CASE("an interrupt is passed on to a running helper's group and wakes what polls for it") {
  Forget forget;
  HelperProcess helper;
  REQUIRE(helper.Start({"/bin/sleep", "600"}, nullptr, HelperProcess::Group::kSession) == 0);
  CHECK(InterruptSignal() == 0);
  DeliverInterrupt(SIGTERM);
  CHECK(InterruptSignal() == SIGTERM);
  bool killed = true;
  int status = FinishWithin(helper, killed);
  CHECK_FALSE(killed);
  CHECK((WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM));
  pollfd p{InterruptFd(), POLLIN, 0};
  CHECK(poll(&p, 1, 0) == 1);
  CHECK_FALSE(SleepUnlessInterrupted(1h));
}

TEST_CASE("a helper started after the interrupt gets the signal at once") {
  Forget forget;
  DeliverInterrupt(SIGINT);
  HelperProcess helper;
  REQUIRE(helper.Start({"/bin/sleep", "600"}, nullptr, HelperProcess::Group::kSession) == 0);
  bool killed = true;
  int status = FinishWithin(helper, killed);
  CHECK((WIFSIGNALED(status) && WTERMSIG(status) == SIGINT));
}

TEST_CASE("a second interrupt kills a group that ignores the first") {
  Forget forget;
  testing::TempDir dir;
  const std::string ready = dir / "ready";
  HelperProcess helper;
  // The shell and the sleep it starts ignore SIGTERM (an ignored signal stays so across exec).
  REQUIRE(helper.Start({"/bin/sh", "-c", "trap '' TERM; : > " + ready + "; sleep 600"}, nullptr,
                       HelperProcess::Group::kSession) == 0);
  REQUIRE(testing::Eventually([&] { return testing::FileExists(ready); }));
  DeliverInterrupt(SIGTERM);
  CHECK_FALSE(helper.Exited());  // not a timing claim: the group ignores SIGTERM
  DeliverInterrupt(SIGTERM);
  bool killed = true;
  int status = FinishWithin(helper, killed);
  CHECK((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
}

TEST_CASE("a reset forgets the interrupt and the interrupt's names are the shell's") {
  DeliverInterrupt(SIGHUP);
  ResetInterruptForTesting();
  CHECK(InterruptSignal() == 0);
  pollfd p{InterruptFd(), POLLIN, 0};
  CHECK(poll(&p, 1, 0) == 0);
  CHECK(SleepUnlessInterrupted(1ms));
  CHECK(SignalName(SIGINT) == "SIGINT");
  CHECK(SignalName(SIGTERM) == "SIGTERM");
  CHECK(SignalName(SIGQUIT) == "SIGQUIT");
  CHECK(SignalName(SIGUSR1) == "signal " + std::to_string(SIGUSR1));
  CHECK(InterruptExitCode(SIGINT) == 130);
  CHECK(InterruptExitCode(SIGTERM) == 143);
}

}  // namespace
}  // namespace s3us

#include "run/process.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <vector>

#include "core/files.h"
#include "fakes/interrupt_when.h"
#include "tests/run/run_test_util.h"

namespace s3us::run {
namespace {

using namespace std::chrono_literals;
using testing::Console;
using testing::Slurp;
using testing::TempDir;

std::string Script(const TempDir& t, const std::string& name, const std::string& body) {
  std::string path = t / name;
  REQUIRE(WriteNewFile(path, body, 0700).ok());
  return path;
}

ProcessSpec Spec(const std::string& path, const TempDir& t, Console& console) {
  ProcessSpec spec;
  spec.path = path;
  spec.cwd = t.path;
  spec.env = {"PATH=/usr/bin:/bin", "GREETING=hello"};
  spec.console = [&console](int s, std::string_view b) { console(s, b); };
  return spec;
}

TEST_CASE("RunProcess reports the exit status and copies output to console and log") {
  TempDir t;
  Console console;
  std::string path =
      Script(t, "a.sh", "#!/bin/sh\necho \"out $GREETING $#\"\necho err >&2\npwd\nexit 3\n");
  ProcessSpec spec = Spec(path, t, console);
  int log = open((t / "log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  spec.log_fd = log;
  Result<ExitInfo> info = RunProcess(spec);
  close(log);
  REQUIRE(info.ok());
  CHECK(info->exited);
  CHECK(info->status == 3);
  CHECK(console.out == "out hello 0\n" + t.path + "\n");
  CHECK(console.err == "err\n");
  std::string logged = Slurp(t / "log");
  CHECK(logged.find("out hello 0\n") != std::string::npos);
  CHECK(logged.find("err\n") != std::string::npos);
  CHECK(OutcomeFromExit(*info).message == "exited with status 3");
  CHECK(OutcomeFromExit(*info).kind == OutcomeKind::kFailed);
}

TEST_CASE("RunProcess caps what it logs of a part, not what it shows, and says so") {
  TempDir t;
  Console console;
  std::string path = Script(t, "loud.sh", "#!/bin/sh\nhead -c 100000 /dev/zero\nexit 5\n");
  ProcessSpec spec = Spec(path, t, console);
  int log = open((t / "log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  spec.log_fd = log;
  spec.log_limit = 1000;
  Result<ExitInfo> info = RunProcess(spec);
  close(log);
  REQUIRE(info.ok());
  CHECK(info->status == 5);
  CHECK(console.out.size() == 100000);
  CHECK(Slurp(t / "log").size() == 1000);
  CHECK(info->log_dropped == 99000);
  Outcome outcome = OutcomeFromExit(*info);
  CHECK(outcome.message == "exited with status 5");
  REQUIRE(outcome.warnings.size() == 1);
  CHECK(outcome.warnings[0] ==
        "the log holds the first 1000 B of the output; 99000 bytes more were not logged");
}

TEST_CASE("RunProcess runs a part to its end when its log cannot be written, and says so") {
  TempDir t;
  Console console;
  std::string path = Script(t, "a.sh", "#!/bin/sh\necho one\necho two\nexit 0\n");
  ProcessSpec spec = Spec(path, t, console);
  int log = open("/dev/full", O_WRONLY | O_CLOEXEC);  // every write: ENOSPC, a full disk
  REQUIRE(log >= 0);
  spec.log_fd = log;
  Result<ExitInfo> info = RunProcess(spec);
  close(log);
  REQUIRE(info.ok());
  CHECK(info->status == 0);
  CHECK(console.out == "one\ntwo\n");
  CHECK(info->log_errno == ENOSPC);
  Outcome outcome = OutcomeFromExit(*info);
  CHECK(outcome.kind == OutcomeKind::kOk);
  REQUIRE(outcome.warnings.size() == 1);
  CHECK(outcome.warnings[0] == "the log is incomplete: writing it failed: No space left on device");
}

TEST_CASE("RunProcess reports a signal death") {
  TempDir t;
  Console console;
  Result<ExitInfo> info =
      RunProcess(Spec(Script(t, "k.sh", "#!/bin/sh\nkill -9 $$\n"), t, console));
  REQUIRE(info.ok());
  CHECK_FALSE(info->exited);
  CHECK(info->signal == 9);
  CHECK(OutcomeFromExit(*info).message == "killed by signal 9");
}

TEST_CASE("RunProcess kills the process group after the timeout") {
  TempDir t;
  Console console;
  // The child and its background grandchild both ignore nothing; SIGTERM ends them.
  std::string path =
      Script(t, "slow.sh", "#!/bin/sh\nsleep 600 &\necho $! > bg.pid\nexec sleep 600\n");
  ProcessSpec spec = Spec(path, t, console);
  spec.timeout = 1s;
  spec.kill_grace = 200ms;
  Result<ExitInfo> info = RunProcess(spec);
  REQUIRE(info.ok());
  CHECK(info->timed_out);
  CHECK(OutcomeFromExit(*info).message == "timed out after 1 s");
  // Not held until the sleeps end: the background one went with the group (a shell held
  // back by load past the timeout has started none).
  if (testing::FileExists(t / "bg.pid")) {
    CHECK(testing::Eventually([&] { return testing::ProcessGone(testing::PidIn(t / "bg.pid")); }));
  }
}

TEST_CASE("RunProcess passes an interrupt on to the part's group and says it was interrupted") {
  TempDir t;
  Console console;
  // A background child of its own, as a part that starts a daemon has.
  std::string path = Script(t, "long.sh",
                            "#!/bin/sh\nsleep 600 &\necho $! > bg.tmp\nmv bg.tmp bg.pid\n"
                            "exec sleep 600\n");
  Result<ExitInfo> info = [&] {
    testing::InterruptWhenFileAppears interrupt(t / "bg.pid", SIGTERM);
    return RunProcess(Spec(path, t, console));
  }();
  REQUIRE(info.ok());
  CHECK(info->interrupted == SIGTERM);
  CHECK(info->signal == SIGTERM);
  CHECK_FALSE(info->timed_out);
  Outcome outcome = OutcomeFromExit(*info);
  CHECK(outcome.kind == OutcomeKind::kFailed);
  CHECK(outcome.message == "interrupted by SIGTERM");
  CHECK(testing::Eventually([&] { return testing::ProcessGone(testing::PidIn(t / "bg.pid")); }));
}

TEST_CASE("RunProcess escalates to SIGKILL when the child ignores SIGTERM") {
  TempDir t;
  Console console;
  std::string path =
      Script(t, "stubborn.sh", "#!/bin/sh\ntrap '' TERM\nwhile :; do sleep 0.05; done\n");
  ProcessSpec spec = Spec(path, t, console);
  // The shell has the timeout to start and ignore SIGTERM (with 200 ms a shell held back by
  // load could die of the SIGTERM before its trap).
  spec.timeout = 1s;
  spec.kill_grace = 200ms;
  Result<ExitInfo> info = RunProcess(spec);
  REQUIRE(info.ok());
  CHECK(info->timed_out);
  CHECK(info->signal == SIGKILL);
}

TEST_CASE("RunProcess does not wait for background children that keep the pipes open") {
  TempDir t;
  Console console;
  // The background child outlives any bound a loaded machine could need: waiting for it
  // would take 20 s.
  std::string path = Script(t, "daemon.sh", "#!/bin/sh\n(sleep 20; echo late) &\necho done\n");
  ProcessSpec spec = Spec(path, t, console);
  spec.drain_grace = 100ms;
  auto start = std::chrono::steady_clock::now();
  Result<ExitInfo> info = RunProcess(spec);
  REQUIRE(info.ok());
  CHECK(std::chrono::steady_clock::now() - start < 15s);
  CHECK(info->exited);
  CHECK(info->status == 0);
  CHECK(console.out == "done\n");
}

TEST_CASE("RunProcess hands output a background job writes after the part to the log") {
  TempDir t;
  Console console;
  // Without a reader after we return, the job's first echo would kill it (SIGPIPE) and
  // `survived` would never appear.
  std::string path = Script(t, "daemon.sh",
                            "#!/bin/sh\n(sleep 1; echo late; echo late-err >&2; touch survived) &\n"
                            "echo started\n");
  ProcessSpec spec = Spec(path, t, console);
  spec.drain_grace = 100ms;
  int log = open((t / "log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  spec.log_fd = log;
  const std::vector<pid_t> children_before = testing::Children();
  Result<ExitInfo> info = RunProcess(spec);
  close(log);
  REQUIRE(info.ok());
  CHECK(info->status == 0);
  CHECK(info->output_handed_off);
  // The drainer is nobody's child of ours, not even a zombie.
  CHECK(testing::Children() == children_before);
  CHECK(testing::Eventually([&] { return testing::FileExists(t / "survived"); }));
  CHECK(testing::Eventually([&] {
    std::string logged = Slurp(t / "log");
    return logged.find("late\n") != std::string::npos &&
           logged.find("late-err\n") != std::string::npos;
  }));
  CHECK(Slurp(t / "log").starts_with("started\n"));
  CHECK(console.out == "started\n");  // the console does not get what came after the part
  CHECK(console.err.empty());
  CHECK(testing::Eventually([&] { return testing::ProcessesHolding(t / "log").empty(); }));
}

TEST_CASE("The drainer of a part's output holds nothing of ours but the pipes and the log") {
  TempDir t;
  Console console;
  int ours = open((t / "ours").c_str(), O_WRONLY | O_CREAT, 0600);  // as a lock without CLOEXEC
  REQUIRE(ours >= 0);
  std::string path =
      Script(t, "daemon.sh", "#!/bin/sh\n(while [ ! -e done ]; do sleep 0.05; done) &\n");
  ProcessSpec spec = Spec(path, t, console);
  spec.drain_grace = 50ms;
  int log = open((t / "log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  spec.log_fd = log;
  Result<ExitInfo> info = RunProcess(spec);
  close(log);
  close(ours);
  REQUIRE(info.ok());
  REQUIRE(info->output_handed_off);
  pid_t my_session = getsid(0);
  // Only the drainer holds the log: the job got its stdout, not the log.
  testing::ProcessView drainer;
  CHECK(testing::Eventually([&] {
    std::vector<testing::ProcessView> holders = testing::ProcessesHolding(t / "log");
    if (holders.size() != 1 || holders[0].fds.size() != 3) return false;
    drainer = holders[0];
    return true;
  }));
  CHECK(drainer.ppid != getpid());
  CHECK(drainer.session != my_session);
  CHECK(getpgid(drainer.pid) != getpgrp());
  for (const std::string& fd : drainer.fds) {
    INFO(fd);
    CHECK((fd == t / "log" || fd.starts_with("pipe:[")));
  }
  REQUIRE(WriteNewFile(t / "done", "", 0600).ok());
  CHECK(testing::Eventually([&] { return testing::ProcessGone(drainer.pid); }));
}

TEST_CASE("RunProcess reports an exec failure without running anything") {
  TempDir t;
  Console console;
  Result<ExitInfo> info = RunProcess(Spec(Script(t, "noshebang", "echo hi\n"), t, console));
  REQUIRE(info.ok());
  CHECK(info->exec_errno == ENOEXEC);
  CHECK(OutcomeFromExit(*info).message ==
        "cannot execute: Exec format error (not a binary, and no #! line the kernel takes: "
        "none, or one too long)");

  Result<ExitInfo> missing =
      RunProcess(Spec(Script(t, "badinterp", "#!/nonexistent/sh\n"), t, console));
  REQUIRE(missing.ok());
  CHECK(missing->exec_errno == ENOENT);
  CHECK(console.out.empty());
}

TEST_CASE("RunProcess gives the child no arguments, stdin from /dev/null and no leaked fds") {
  TempDir t;
  Console console;
  int leaked = open("/dev/null", O_RDONLY);  // deliberately without O_CLOEXEC
  std::string path = Script(t, "probe.sh",
                            "#!/bin/sh\necho \"args=$#\"\nread line || echo stdin-empty\n"
                            "[ -e /proc/self/fd/" +
                                std::to_string(leaked) + " ] && echo leaked || echo clean\n");
  Result<ExitInfo> info = RunProcess(Spec(path, t, console));
  close(leaked);
  REQUIRE(info.ok());
  CHECK(console.out == "args=0\nstdin-empty\nclean\n");
}

}  // namespace
}  // namespace s3us::run

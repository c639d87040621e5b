#include "run/dispatcher.h"

#include <catch2/catch.hpp>
#include <filesystem>

#include "core/files.h"
#include "core/log.h"
#include "tests/run/dispatcher_test_util.h"

namespace s3us::run {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::DispatchFixture;
using testing::MakePart;
using testing::MakePlan;
using testing::Outcomes;
using testing::Slurp;

using Strings = std::vector<std::string>;

// Captures warning and error lines while alive.
struct LogCapture {
  LogCapture() {
    SetLogSink([this](LogLevel, std::string_view line) { lines.emplace_back(line); });
  }
  ~LogCapture() { SetLogSink(nullptr); }
  bool Has(const std::string& line) const {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
  }
  Strings lines;
};

TEST_CASE("Dispatcher runs boothooks first, then every other part in plan order") {
  DispatchFixture f;
  userdata::Part hook1 =
      MakePart(0, userdata::kTypeCloudBoothook, "hook1",
               "#cloud-boothook\n#!/bin/sh\necho hook1 >> " + f.t.path + "/trace\n");
  userdata::Part hook2 = hook1;
  hook2.filename = "hook2";
  hook2.payload = "#cloud-boothook\n#!/bin/sh\necho hook2 >> " + f.t.path + "/trace\n";
  expand::Plan plan =
      MakePlan({f.Traced("a"), hook1, MakePart(0, "text/cloud-config", "cc", "a: 1\n"),
                f.Traced("b"), hook2, f.Traced("c")});
  Result<Report> report = f.Run(plan);
  REQUIRE(report.ok());
  CHECK(f.Trace() == "hook1\nhook2\na\nb\nc\n");
  CHECK(report->status == "ok");
  CHECK(Outcomes(*report) == Strings{"ok", "ok", "ok", "ok", "ok", "ok"});
  std::vector<int> order;
  for (const auto& r : report->parts) order.push_back(r.run_order);
  CHECK(order == std::vector<int>{3, 1, 4, 5, 2, 6});
  CHECK(RunOrder(plan, f.registry) == std::vector<int>{2, 5, 1, 3, 4, 6});
  // Sorted names in the scripts directory follow run order.
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(f.t / "state/instances/i-0abc/scripts")) {
    names.push_back(e.path().filename());
  }
  std::sort(names.begin(), names.end());
  CHECK(names == Strings{"001-a", "004-b", "006-c"});
}

TEST_CASE("Dispatcher stops at the first failing part and reports the rest not run") {
  DispatchFixture f;
  LogCapture log;
  Result<Report> report = f.Run(MakePlan({f.Traced("one"), f.Traced("two", 2), f.Traced("three")}));
  REQUIRE(report.ok());
  CHECK(f.Trace() == "one\ntwo\n");
  CHECK(report->status == "failed");
  CHECK(Outcomes(*report) == Strings{"ok", "failed", "not-run"});
  CHECK(report->parts[1].outcome.exit_status == 2);
  CHECK(report->parts[2].outcome.message == "not run: part 2 failed");
  CHECK(report->FailureLines() ==
        Strings{"part 2 of 3 (text/x-shellscript, filename two): exited with status 2"});
  CHECK(
      log.Has("s3-user-script: error: part 2 of 3 (text/x-shellscript, filename two): exited "
              "with status 2"));
}

TEST_CASE("Dispatcher with keep_going runs every part after a failure") {
  DispatchFixture f;
  f.options.keep_going = true;
  Result<Report> report =
      f.Run(MakePlan({f.Traced("one", 1), f.Traced("two"), f.Traced("three", 3)}));
  REQUIRE(report.ok());
  CHECK(f.Trace() == "one\ntwo\nthree\n");
  CHECK(report->status == "failed");
  CHECK(Outcomes(*report) == Strings{"failed", "ok", "failed"});
  CHECK(report->FailureLines().size() == 2);
}

TEST_CASE("Dispatcher names the origin of a failed fetched part") {
  DispatchFixture f;
  userdata::Part fetched =
      testing::FetchedPart(0, userdata::kTypeShellScript, "s3://b/k", "#!/bin/sh\nexit 2\n");
  Result<Report> report = f.Run(MakePlan({f.Traced("a"), f.Traced("b"), fetched}));
  REQUIRE(report.ok());
  CHECK(report->FailureLines() ==
        Strings{"part 3 of 3 (text/x-shellscript from s3://b/k, line 2 of part 1): exited with "
                "status 2"});
}

TEST_CASE("Dispatcher in a dry run executes and writes nothing and says what would happen") {
  DispatchFixture f;
  f.options.dry_run = true;
  expand::Plan plan =
      MakePlan({f.Traced("a"), MakePart(0, "text/cloud-config", "cc", "a: 1\n"),
                MakePart(0, "text/x-foo", "x", "?"),
                MakePart(0, userdata::kTypeCloudBoothook, "h", "#cloud-boothook\n")});
  Result<Report> report = f.Run(plan);
  REQUIRE(report.ok());
  CHECK_FALSE(fs::exists(f.t / "trace"));
  CHECK_FALSE(fs::exists(f.t / "state"));
  CHECK_FALSE(fs::exists(f.t / "cloud.cfg.d"));
  CHECK(report->status == "dry-run");
  CHECK(report->log_path.empty());
  CHECK(Outcomes(*report) == Strings{"dry-run", "dry-run", "skipped", "dry-run"});
  CHECK(report->parts[0].outcome.message ==
        "would write " + std::to_string(plan.parts[0].payload.size()) + " bytes to " + f.t.path +
            "/state/instances/i-0abc/scripts/001-a and run it");
  CHECK(report->parts[1].outcome.message ==
        "would write 5 bytes to " + f.t.path + "/cloud.cfg.d/90-s3-user-script-002.cfg");
  CHECK(report->parts[3].outcome.message.find("/boothooks/004-h and run it") != std::string::npos);
}

TEST_CASE("Dispatcher skips unhandled types with cloud-init's kind of warning") {
  DispatchFixture f;
  LogCapture log;
  expand::Plan plan =
      MakePlan({MakePart(0, userdata::kTypePartHandler, "h.py",
                         "#part-handler\nimport os\nos.system('touch " + f.t.path + "/pwned')\n"),
                MakePart(0, userdata::kTypeUpstartJob, "job", "start on x\n"),
                MakePart(0, userdata::kTypeS3Include, "inc", "s3://b/k\n"),
                MakePart(0, "text/x-foo", "x", "#!/bin/sh\ntouch " + f.t.path + "/pwned\n"),
                f.Traced("after")});
  Result<Report> report = f.Run(plan);
  REQUIRE(report.ok());
  CHECK(Outcomes(*report) == Strings{"skipped", "skipped", "skipped", "skipped", "ok"});
  CHECK_FALSE(fs::exists(f.t / "pwned"));
  CHECK(report->status == "ok");
  CHECK(report->parts[3].handler == "unhandled");
  CHECK(
      log.Has("s3-user-script: warning: part 4 of 5 (text/x-foo, filename x): skipped: "
              "unhandled content type"));
  CHECK(
      log.Has("s3-user-script: warning: part 1 of 5 (text/part-handler, filename h.py): "
              "skipped: unhandled content type (part handlers are not run)"));
}

TEST_CASE("Dispatcher runs a part with a Launch-Index only on that instance of the launch") {
  auto plan_of = [](DispatchFixture& f) {
    std::vector<userdata::Part> parts = {f.Traced("zero"), f.Traced("one"), f.Traced("all"),
                                         f.Traced("none")};
    parts[0].launch_index = "0";
    parts[1].launch_index = "1";
    parts[3].launch_index = "1.0";  // int() refuses it: cloud-init runs it nowhere
    return MakePlan(parts);
  };
  SECTION("on instance 1 of the launch") {
    DispatchFixture f;
    LogCapture log;
    f.facts.launch_index = 1;
    Result<Report> report = f.Run(plan_of(f));
    REQUIRE(report.ok());
    CHECK(f.Trace() == "one\nall\n");
    CHECK(Outcomes(*report) == Strings{"skipped", "ok", "ok", "skipped"});
    CHECK(report->status == "ok");
    CHECK(report->parts[0].outcome.message == "Launch-Index 0 is not this instance's (1)");
    // Another instance's part is expected, not a warning.
    CHECK(log.lines.empty());
  }
  SECTION("where the launch index is unknown, as cloud-init: every part") {
    DispatchFixture f;
    Result<Report> report = f.Run(plan_of(f));
    REQUIRE(report.ok());
    CHECK(f.Trace() == "zero\none\nall\nnone\n");
  }
}

TEST_CASE("Dispatcher gives scripts the documented environment") {
  DispatchFixture f;
  f.facts.instance_id = "i-0123456789abcdef0";
  userdata::Part probe = testing::FetchedPart(
      0, userdata::kTypeShellScript, "s3://b/scripts/probe.sh",
      "#!/bin/sh\nenv > " + f.t.path + "/env.txt\npwd >> " + f.t.path + "/env.txt\n");
  Result<Report> report = f.Run(MakePlan({f.Traced("a"), probe}));
  REQUIRE(report.ok());
  REQUIRE(report->status == "ok");
  std::string env = Slurp(f.t / "env.txt");
  std::string state = f.t / "state";
  for (const std::string& line :
       {std::string("INSTANCE_ID=i-0123456789abcdef0"),
        std::string("S3US_INSTANCE_ID=i-0123456789abcdef0"), std::string("S3US_REGION=eu-west-1"),
        std::string("S3US_PART_INDEX=2"), std::string("S3US_PART_COUNT=2"),
        std::string("S3US_PART_SOURCE=s3://b/scripts/probe.sh"), "S3US_STATE_DIR=" + state,
        "S3_USER_SCRIPT=" + f.t.path + "/bin/s3-user-script",
        "PATH=" + f.t.path + "/bin:", state + "/instances/i-0123456789abcdef0/scripts\n"}) {
    INFO(line);
    CHECK(env.find(line) != std::string::npos);
  }
}

TEST_CASE("Dispatcher enforces the part timeout") {
  DispatchFixture f;
  f.options.part_timeout = 300ms;
  f.options.kill_grace = 200ms;
  Result<Report> report =
      f.Run(MakePlan({MakePart(0, userdata::kTypeShellScript, "slow.sh", "#!/bin/sh\nsleep 30\n"),
                      f.Traced("b")}));
  REQUIRE(report.ok());
  CHECK(Outcomes(*report) == Strings{"failed", "not-run"});
  CHECK(report->parts[0].outcome.timed_out);
  CHECK(report->FailureLines() ==
        Strings{"part 1 of 2 (text/x-shellscript, filename slow.sh): timed out after 0.3 s"});
}

TEST_CASE("Dispatcher copies script output to the console and a 0600 log file") {
  DispatchFixture f;
  Result<Report> report = f.Run(MakePlan({MakePart(0, userdata::kTypeShellScript, "talk.sh",
                                                   "#!/bin/sh\necho to-out\necho to-err >&2\n")}));
  REQUIRE(report.ok());
  CHECK(f.console->out == "to-out\n");
  CHECK(f.console->err == "to-err\n");
  CHECK(report->log_path == f.t / "state/instances/i-0abc/logs/run-20150830T121600Z.log");
  CHECK(testing::ModeOf(report->log_path) == 0600);
  std::string log = Slurp(report->log_path);
  CHECK(log.find("to-out\n") != std::string::npos);
  CHECK(log.find("to-err\n") != std::string::npos);
  CHECK(log.find("==== part 1 of 1 (text/x-shellscript, filename talk.sh): exited with status 0") !=
        std::string::npos);
}

TEST_CASE("Dispatcher runs executables byte-exact and CRLF scripts as cloud-init does") {
  DispatchFixture f;
  Result<std::string> truth = ReadFile("/bin/true", 16 << 20);
  Result<std::string> falsity = ReadFile("/bin/false", 16 << 20);
  REQUIRE(truth.ok());
  REQUIRE(falsity.ok());
  f.options.keep_going = true;
  Result<Report> report =
      f.Run(MakePlan({MakePart(0, userdata::kTypeExecutable, "true", *truth),
                      MakePart(0, userdata::kTypeExecutable, "false", *falsity),
                      MakePart(0, userdata::kTypeShellScript, "dos.sh",
                               "#!/bin/sh\r\necho crlf >> " + f.t.path + "/trace\r\n")}));
  REQUIRE(report.ok());
  CHECK(Outcomes(*report) == Strings{"ok", "failed", "ok"});
  CHECK(report->parts[1].outcome.message == "exited with status 1");
  CHECK(f.Trace() == "crlf\n");
  CHECK(Slurp(f.t / "state/instances/i-0abc/scripts/001-true") == *truth);
}

TEST_CASE("Dispatcher reports a script without #! as failed, never through a shell") {
  DispatchFixture f;
  Result<Report> report = f.Run(MakePlan(
      {MakePart(0, userdata::kTypeShellScript, "bare", "touch " + f.t.path + "/pwned\n")}));
  REQUIRE(report.ok());
  CHECK(Outcomes(*report) == Strings{"failed"});
  CHECK_FALSE(fs::exists(f.t / "pwned"));
  CHECK(report->parts[0].outcome.message.rfind(
            "cannot execute " + f.t.path + "/state/instances/i-0abc/scripts/001-bare: ", 0) == 0);
}

}  // namespace
}  // namespace s3us::run

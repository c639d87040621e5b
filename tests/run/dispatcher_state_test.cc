// Dispatcher and the run state: frequencies across runs, report.json, unsafe state paths.
#include <signal.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/files.h"
#include "fakes/interrupt_when.h"
#include "run/dispatcher.h"
#include "tests/run/dispatcher_test_util.h"

namespace s3us::run {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::DispatchFixture;
using testing::MakePart;
using testing::MakePlan;
using testing::Outcomes;
using testing::Slurp;
using Strings = std::vector<std::string>;

TEST_CASE("Dispatcher runs a plain script once per instance and says so on a rerun") {
  DispatchFixture f;
  expand::Plan plan = MakePlan({f.Traced("a")});
  REQUIRE(f.Run(plan).ok());
  Result<Report> again = f.Run(plan);
  REQUIRE(again.ok());
  CHECK(f.Trace() == "a\n");
  CHECK(Outcomes(*again) == Strings{"already-ran"});
  CHECK(again->parts[0].outcome.message == "already ran on this instance");
  CHECK(again->status == "ok");

  SECTION("force runs it again") {
    f.options.force = true;
    REQUIRE(f.Run(plan).ok());
    CHECK(f.Trace() == "a\na\n");
  }
  SECTION("a new boot does not run it again") {
    f.options.boot_id = "boot-2";
    REQUIRE(f.Run(plan).ok());
    CHECK(f.Trace() == "a\n");
  }
  SECTION("another instance runs it") {
    f.facts.instance_id = "i-0def";
    REQUIRE(f.Run(plan).ok());
    CHECK(f.Trace() == "a\na\n");
  }
  SECTION("an edited script runs again") {
    userdata::Part edited = plan.parts[0];
    edited.payload = *edited.payload.memory() + "# edited\n";
    REQUIRE(f.Run(MakePlan({edited})).ok());
    CHECK(f.Trace() == "a\na\n");
  }
}

TEST_CASE("Dispatcher runs per-boot parts and boothooks once per boot") {
  DispatchFixture f;
  userdata::Part hook =
      MakePart(0, userdata::kTypeCloudBoothook, "hook",
               "#cloud-boothook\n#!/bin/sh\necho hook >> " + f.t.path + "/trace\n");
  expand::Plan plan = MakePlan({f.Traced("boot", 0, userdata::kTypeShellScriptPerBoot), hook});
  REQUIRE(f.Run(plan).ok());
  Result<Report> same_boot = f.Run(plan);
  REQUIRE(same_boot.ok());
  CHECK(f.Trace() == "hook\nboot\n");
  CHECK(Outcomes(*same_boot) == Strings{"already-ran", "already-ran"});
  CHECK(same_boot->parts[0].outcome.message == "already ran this boot");
  f.options.boot_id = "boot-2";
  REQUIRE(f.Run(plan).ok());
  CHECK(f.Trace() == "hook\nboot\nhook\nboot\n");
}

TEST_CASE("Dispatcher runs per-instance and per-once parts with their own scope") {
  DispatchFixture f;
  expand::Plan plan = MakePlan({f.Traced("inst", 0, userdata::kTypeShellScriptPerInstance),
                                f.Traced("once", 0, userdata::kTypeShellScriptPerOnce)});
  REQUIRE(f.Run(plan).ok());
  f.options.boot_id = "boot-2";
  Result<Report> second = f.Run(plan);
  REQUIRE(second.ok());
  CHECK(Outcomes(*second) == Strings{"already-ran", "already-ran"});
  CHECK(second->parts[1].outcome.message == "already ran once on this machine (per-once)");
  f.facts.instance_id = "i-0new";
  Result<Report> third = f.Run(plan);
  REQUIRE(third.ok());
  CHECK(Outcomes(*third) == Strings{"ok", "already-ran"});
  CHECK(f.Trace() == "inst\nonce\ninst\n");
}

TEST_CASE("Dispatcher runs a part repeated with the same filename and bytes at each position") {
  DispatchFixture f;
  expand::Plan plan = MakePlan({f.Traced("a"), f.Traced("a"), f.Traced("b")});
  Result<Report> report = f.Run(plan);
  REQUIRE(report.ok());
  CHECK(Outcomes(*report) == Strings{"ok", "ok", "ok"});
  CHECK(f.Trace() == "a\na\nb\n");
  Result<Report> again = f.Run(plan);  // a later run on the same instance
  REQUIRE(again.ok());
  CHECK(Outcomes(*again) == Strings{"already-ran", "already-ran", "already-ran"});
  CHECK(f.Trace() == "a\na\nb\n");
}

TEST_CASE("Dispatcher tries a failed part again on the next run") {
  DispatchFixture f;
  expand::Plan plan = MakePlan({f.Traced("ok"), f.Traced("bad", 1), f.Traced("later")});
  REQUIRE(f.Run(plan).ok());
  Result<Report> again = f.Run(plan);
  REQUIRE(again.ok());
  CHECK(Outcomes(*again) == Strings{"already-ran", "failed", "not-run"});
  CHECK(f.Trace() == "ok\nbad\nbad\n");
}

TEST_CASE("Dispatcher stops at an interrupt, reports it, and runs the rest on the next run") {
  DispatchFixture f;
  f.options.keep_going = true;  // an interrupt stops the run all the same
  // Runs until interrupted, unless <tmp>/again exists.
  userdata::Part slow =
      MakePart(0, userdata::kTypeShellScript, "slow",
               "#!/bin/sh\necho slow >> " + f.t.path + "/trace\n[ -e " + f.t.path +
                   "/again ] && exit 0\n: > " + f.t.path + "/started\nexec sleep 600\n");
  expand::Plan plan = MakePlan({f.Traced("first"), slow, f.Traced("last")});
  Result<Report> report = [&] {
    testing::InterruptWhenFileAppears interrupt(f.t / "started", SIGTERM);
    return f.Run(plan);
  }();
  REQUIRE(report.ok());
  CHECK(Outcomes(*report) == Strings{"ok", "failed", "not-run"});
  CHECK(report->parts[1].outcome.message == "interrupted by SIGTERM");
  CHECK(report->parts[2].outcome.message == "not run: interrupted by SIGTERM");
  CHECK(report->status == "interrupted");
  CHECK(report->interrupted_part == 2);
  json written = json::parse(Slurp(f.t / "state/report.json"));
  CHECK(written["status"] == "interrupted");
  CHECK(written["interrupted_by"] == "SIGTERM");
  CHECK(written["interrupted_part"] == 2);
  CHECK(RenderReport(written).find("interrupted by SIGTERM: the next run runs again") !=
        std::string::npos);
  CHECK(StatusExitCode(written) == kStatusFailed);

  // Only what succeeded was marked: the next run runs the interrupted part and the rest.
  REQUIRE(WriteNewFile(f.t / "again", "", 0600).ok());
  Result<Report> next = f.Run(plan);
  REQUIRE(next.ok());
  CHECK(Outcomes(*next) == Strings{"already-ran", "ok", "ok"});
  CHECK(next->status == "ok");
  CHECK(f.Trace() == "first\nslow\nslow\nlast\n");
}

TEST_CASE("Dispatcher dry run after a real run shows what already ran") {
  DispatchFixture f;
  expand::Plan plan =
      MakePlan({f.Traced("a"), f.Traced("b", 0, userdata::kTypeShellScriptPerBoot)});
  REQUIRE(f.Run(plan).ok());
  f.options.dry_run = true;
  f.options.boot_id = "boot-2";
  Result<Report> dry = f.Run(plan);
  REQUIRE(dry.ok());
  CHECK(Outcomes(*dry) == Strings{"already-ran", "dry-run"});
  CHECK(f.Trace() == "a\nb\n");
}

TEST_CASE("Dispatcher writes report.json with one record per part") {
  DispatchFixture f;
  f.options.keep_going = true;
  userdata::Part fetched =
      testing::FetchedPart(0, userdata::kTypeShellScript, "s3://b/dir/x.sh", "#!/bin/sh\nexit 4\n");
  Result<Report> report =
      f.Run(MakePlan({f.Traced("a"), fetched, MakePart(0, "text/x-foo", "x", "")}));
  REQUIRE(report.ok());
  std::string path = f.t / "state/report.json";
  CHECK(testing::ModeOf(path) == 0600);
  CHECK(Slurp(path) == Slurp(f.t / "state/instances/i-0abc/report.json"));
  json j = json::parse(Slurp(path));
  CHECK(j["status"] == "failed");
  CHECK(j["instance_id"] == "i-0abc");
  CHECK(j["region"] == "eu-west-1");
  CHECK(j["boot_id"] == "boot-1");
  CHECK(j["started_at"] == "2015-08-30T12:16:00.000Z");
  CHECK(j["log_path"] == report->log_path);
  CHECK(j["totals"] == json{{"parts", 3},
                            {"ok", 1},
                            {"failed", 1},
                            {"skipped", 1},
                            {"not_run", 0},
                            {"already_ran", 0},
                            {"dry_run", 0}});
  REQUIRE(j["parts"].size() == 3);
  const json& a = j["parts"][0];
  CHECK(a["index"] == 1);
  CHECK(a["run_order"] == 1);
  CHECK(a["content_type"] == "text/x-shellscript");
  CHECK(a["filename"] == "a");
  CHECK(a["handler"] == "shell-script");
  CHECK(a["frequency"] == "per-instance");
  CHECK(a["outcome"] == "ok");
  CHECK(a["exit_status"] == 0);
  CHECK(a["signal"].is_null());
  CHECK(a["source"].is_null());
  CHECK(a["started_at"] == "2015-08-30T12:16:00.000Z");
  CHECK(a["duration_ms"] == 0);
  CHECK(a["message"] == "exited with status 0");
  CHECK(a["sha256"].get<std::string>().size() == 64);
  const json& x = j["parts"][1];
  CHECK(x["outcome"] == "failed");
  CHECK(x["exit_status"] == 4);
  CHECK(x["source"]["url"] == "s3://b/dir/x.sh");
  CHECK(x["source"]["bucket"] == "b");
  CHECK(x["source"]["key"] == "dir/x.sh");
  CHECK(x["source"]["version_id"] == "v1");
  CHECK(x["source"]["etag"] == "\"abc\"");
  CHECK(x["source"]["sha256"] == "feed");
  CHECK(x["origin"] == json::array({{{"part", 1}, {"line", 2}, {"url", "s3://b/dir/x.sh"}}}));
  CHECK(x["description"] ==
        "part 2 of 3 (text/x-shellscript from s3://b/dir/x.sh, line 2 of part 1)");
  CHECK(j["parts"][2]["outcome"] == "skipped");
  CHECK(j["parts"][2]["started_at"].is_string());
}

TEST_CASE("Dispatcher refuses a symlinked state directory and runs nothing") {
  DispatchFixture f;
  fs::create_directories(f.t / "victim");
  fs::create_directory_symlink(f.t / "victim", f.t / "state");
  Result<Report> report = f.Run(MakePlan({f.Traced("a")}));
  REQUIRE_FALSE(report.ok());
  CHECK(report.error().code() == ErrorCode::kUnsafePath);
  CHECK_FALSE(fs::exists(f.t / "trace"));
  CHECK(fs::is_empty(f.t / "victim"));
}

TEST_CASE("Dispatcher never writes a script through a symlink swapped in during the run") {
  DispatchFixture f;
  fs::create_directories(f.t / "victim");
  std::string scripts = f.t / "state/instances/i-0abc/scripts";
  // The boothook runs first and replaces the scripts directory with a symlink.
  userdata::Part hook = MakePart(0, userdata::kTypeCloudBoothook, "evil",
                                 "#cloud-boothook\n#!/bin/sh\nrm -rf " + scripts + "\nln -s " +
                                     f.t.path + "/victim " + scripts + "\n");
  Result<Report> report = f.Run(MakePlan({f.Traced("a"), hook}));
  REQUIRE(report.ok());
  CHECK(Outcomes(*report) == Strings{"failed", "ok"});
  CHECK(report->parts[0].outcome.message.find("is a symbolic link") != std::string::npos);
  CHECK(fs::is_empty(f.t / "victim"));
  CHECK_FALSE(fs::exists(f.t / "trace"));
}

TEST_CASE("Dispatcher refuses a symlink planted at a script's file name") {
  DispatchFixture f;
  // A boothook plants the symlink where part 1 will be written.
  std::string target = f.t / "state/instances/i-0abc/scripts/001-a";
  userdata::Part hook =
      MakePart(0, userdata::kTypeCloudBoothook, "evil",
               "#cloud-boothook\n#!/bin/sh\nln -s " + f.t.path + "/victim " + target + "\n");
  Result<Report> report = f.Run(MakePlan({f.Traced("a"), hook}));
  REQUIRE(report.ok());
  CHECK(Outcomes(*report) == Strings{"failed", "ok"});
  CHECK(report->parts[0].outcome.message.find("not a regular file") != std::string::npos);
  CHECK_FALSE(fs::exists(f.t / "victim"));
}

}  // namespace
}  // namespace s3us::run

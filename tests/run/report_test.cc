#include "run/report.h"

#include <csignal>

#include <catch2/catch.hpp>
#include <filesystem>

#include "core/files.h"
#include "core/interrupt.h"
#include "core/private_paths.h"
#include "tests/run/dispatcher_test_util.h"

namespace s3us::run {
namespace {

namespace fs = std::filesystem;
using testing::DispatchFixture;
using testing::MakePlan;

TEST_CASE("Status says never ran (3) when no report exists") {
  testing::TempDir t;
  Result<nlohmann::json> loaded = LoadLastReport(t / "state");
  REQUIRE_FALSE(loaded.ok());
  CHECK(loaded.error().code() == ErrorCode::kNotFound);
  CHECK(StatusExitCode(loaded) == kStatusNeverRan);
}

TEST_CASE("Status loads the last run and exits 0 when it succeeded, 1 when it failed") {
  DispatchFixture f;
  REQUIRE(f.Run(MakePlan({f.Traced("good")})).ok());
  Result<nlohmann::json> loaded = LoadLastReport(f.options.state_dir);
  REQUIRE(loaded.ok());
  CHECK(StatusExitCode(loaded) == kStatusOk);
  CHECK(LoadLastReport(f.options.state_dir, "i-0abc").ok());
  CHECK(LoadLastReport(f.options.state_dir, "i-other").error().code() == ErrorCode::kNotFound);

  REQUIRE(f.Run(MakePlan({f.Traced("bad", 5), f.Traced("never")})).ok());
  loaded = LoadLastReport(f.options.state_dir);
  REQUIRE(loaded.ok());
  CHECK(StatusExitCode(loaded) == kStatusFailed);
  std::string text = RenderReport(*loaded);
  CHECK(text.rfind("last run: failed at 2015-08-30T12:16:00.000Z on instance i-0abc: 2 parts, "
                   "0 ok, 1 failed, 0 skipped, 1 not run, 0 already ran\n",
                   0) == 0);
  CHECK(text.find("log: " + f.t.path + "/state/instances/i-0abc/logs/") != std::string::npos);
  CHECK(text.find("failed       shell-script  text/x-shellscript          bad") !=
        std::string::npos);
  CHECK(text.find("exited with status 5") != std::string::npos);
  CHECK(text.find("not run: part 1 failed") != std::string::npos);
}

TEST_CASE("Status shows includes dropped with --keep-going and exits 1") {
  DispatchFixture f;
  expand::Plan plan = MakePlan({f.Traced("good")});
  plan.complete = false;
  plan.omitted = {"part 1 line 2 (s3://b/missing): fetching s3://b/missing: HTTP 404"};
  Result<Report> report = f.Run(plan);
  REQUIRE(report.ok());
  CHECK(report->status == "failed");
  Result<nlohmann::json> loaded = LoadLastReport(f.options.state_dir);
  REQUIRE(loaded.ok());
  CHECK((*loaded)["status"] == "failed");
  CHECK((*loaded)["omitted"] == nlohmann::json::array({plan.omitted[0]}));
  CHECK(StatusExitCode(loaded) == kStatusFailed);
  CHECK(RenderReport(*loaded).find("dropped include: " + plan.omitted[0] + "\n") !=
        std::string::npos);
}

TEST_CASE("Status cannot read a damaged report or state dir: exit 3 naming file and cause") {
  // These exited 1, "the last run failed", with no cause: a report is written atomically, so
  // one that is not whole is damaged, not a failed run.
  testing::TempDir t;
  REQUIRE(MakePrivateDir(t / "state").ok());
  const std::string report = t / "state/report.json";
  auto unreadable = [&](const std::string& dir, ErrorCode code, const std::string& message) {
    Result<nlohmann::json> loaded = LoadLastReport(dir);
    REQUIRE_FALSE(loaded.ok());
    CHECK(loaded.error().code() == code);
    CHECK(loaded.error().ToString() == message);
    CHECK(StatusExitCode(loaded) == kStatusUnreadable);
  };
  REQUIRE(WriteNewFile(report, "{\"format\": 1, \"status\": \"ok\", \"parts\": [", 0600).ok());
  unreadable(t / "state", ErrorCode::kInvalidInput, report + " is truncated (40 bytes)");
  REQUIRE(WriteNewFile(report, "", 0600).ok());
  unreadable(t / "state", ErrorCode::kInvalidInput, report + " is truncated (0 bytes)");
  REQUIRE(WriteNewFile(report, "{\"parts\": [] x}", 0600).ok());
  unreadable(t / "state", ErrorCode::kInvalidInput, report + " is not valid JSON at byte 14");
  REQUIRE(WriteNewFile(report, "[1, 2]", 0600).ok());
  unreadable(t / "state", ErrorCode::kInvalidInput, report + " is not a report");
  // Parsed, but not of the shape we write: `status` said "the report is malformed", exit 0;
  // --long threw; --json echoed it, exit 0.
  const std::pair<const char*, const char*> shapes[] = {
      {R"({"status": "ok", "parts": [null]})", "a part has no index"},
      {R"({"status": "ok", "parts": [{"index": "one", "outcome": "ok"}]})", "a part has no index"},
      {R"({"status": "ok", "parts": [{"index": 1, "message": 5}]})",
       "a part's message is not a string"},
      {R"({"status": 7, "parts": []})", "its status is not a string"},
      {R"({"status": "ok", "totals": 3, "parts": []})", "its totals are not an object"},
      {R"({"status": "ok", "omitted": [1], "parts": []})",
       "its omitted includes are not a list of strings"}};
  for (const auto& [text, problem] : shapes) {
    REQUIRE(WriteNewFile(report, text, 0600).ok());
    unreadable(t / "state", ErrorCode::kInvalidInput, report + " is not a report: " + problem);
  }
  // --state-dir naming a regular file: the cause, as strerror says it.
  unreadable(report, ErrorCode::kIo, "cannot read " + report + "/report.json: Not a directory");

  fs::remove(report);
  fs::create_symlink("/etc/passwd", report);
  Result<nlohmann::json> loaded = LoadLastReport(t / "state");
  REQUIRE_FALSE(loaded.ok());
  CHECK(loaded.error().code() == ErrorCode::kUnsafePath);
  CHECK(StatusExitCode(loaded) == kStatusUnreadable);
}

TEST_CASE("A run that ended before its first part is recorded: status shows it failed") {
  // Only the dispatcher wrote a report: a run whose fetch failed left `status` showing the
  // run before it, ok, exit 0.
  DispatchFixture f;
  REQUIRE(f.Run(MakePlan({f.Traced("good")})).ok());
  REQUIRE(StatusExitCode(LoadLastReport(f.options.state_dir)) == kStatusOk);
  Clock::WallTime began = f.clock.Now();
  f.clock.Advance(std::chrono::seconds(3));
  const std::string line = "part 1 line 2 (s3://b/k): fetching s3://b/k: HTTP 404 NoSuchKey";
  REQUIRE(RecordUndispatchedRun(f.facts, f.options, f.clock, began, line).ok());

  for (const char* instance : {"", "i-0abc"}) {
    Result<nlohmann::json> loaded = LoadLastReport(f.options.state_dir, instance);
    REQUIRE(loaded.ok());
    CHECK(StatusExitCode(loaded) == kStatusFailed);
    CHECK((*loaded)["status"] == "failed");
    CHECK((*loaded)["error"] == line);
    CHECK((*loaded)["parts"] == nlohmann::json::array());
    CHECK((*loaded)["instance_id"] == "i-0abc");
    CHECK((*loaded)["started_at"] == FormatRfc3339(began));
    CHECK((*loaded)["finished_at"] == FormatRfc3339(f.clock.Now()));
    CHECK((*loaded)["interrupted_by"] == nullptr);
  }
  CHECK(RenderReport(*LoadLastReport(f.options.state_dir)) ==
        "last run: failed at " + FormatRfc3339(began) +
            " on instance i-0abc: 0 parts, 0 ok, 0 failed, 0 skipped, 0 not run, 0 already ran\n"
            "error: " +
            line + "\n");
}

TEST_CASE("A run interrupted before its first part is recorded as interrupted") {
  DispatchFixture f;
  DeliverInterrupt(SIGINT);
  Status recorded = RecordUndispatchedRun(
      f.facts, f.options, f.clock, f.clock.Now(),
      "interrupted by SIGINT while reading, fetching and verifying the user data; nothing ran\n"
      "a second line \\x1b[31m");
  ResetInterruptForTesting();
  REQUIRE(recorded.ok());
  Result<nlohmann::json> loaded = LoadLastReport(f.options.state_dir);
  REQUIRE(loaded.ok());
  CHECK((*loaded)["status"] == "interrupted");
  CHECK((*loaded)["interrupted_by"] == "SIGINT");
  CHECK(StatusExitCode(loaded) == kStatusFailed);
  std::string text = RenderReport(*loaded);
  CHECK(text.find("\nerror: interrupted by SIGINT while reading, fetching and verifying the user "
                  "data; nothing ran\nerror: a second line \\x1b[31m\n") != std::string::npos);
}

TEST_CASE("A run that ended before its first part is not recorded through a symlink") {
  DispatchFixture f;
  REQUIRE(MakePrivateDir(f.options.state_dir).ok());
  fs::create_symlink(f.t / "elsewhere", f.options.state_dir + "/report.json");
  Status recorded = RecordUndispatchedRun(f.facts, f.options, f.clock, f.clock.Now(), "x");
  REQUIRE_FALSE(recorded.ok());
  CHECK(recorded.error().code() == ErrorCode::kUnsafePath);
  CHECK_FALSE(fs::exists(f.t / "elsewhere"));
}

TEST_CASE("Status survives a report whose fields have the wrong types") {
  nlohmann::json odd = {{"status", 7}, {"totals", 3}, {"parts", {{{"run_order", "x"}}}}};
  CHECK(RenderReport(odd) == "last run: the report is malformed\n");
  CHECK(StatusExitCode(Result<nlohmann::json>(odd)) == kStatusFailed);
}

TEST_CASE("Status escapes control bytes in a report's fields") {
  // A status holding ESC and CR reached the terminal raw.
  nlohmann::json edited = {{"status", "\x1b[31mPWNED\x1b[0m\r"},
                           {"started_at", "t"},
                           {"instance_id", "i"},
                           {"omitted", {"s3://b/\x1b]0;x"}},
                           {"parts", nlohmann::json::array()}};
  std::string shown = RenderReport(edited);
  CHECK(shown.find('\x1b') == std::string::npos);
  CHECK(shown.find('\r') == std::string::npos);
  CHECK(shown.rfind("last run: \\x1b[31mPWNED\\x1b[0m\\x0d at t on instance i:", 0) == 0);
}

TEST_CASE("Dispatcher writes report.json even for filenames that are not UTF-8") {
  DispatchFixture f;
  userdata::Part part = f.Traced("bad\xff\xfename");
  Result<Report> report = f.Run(MakePlan({part}));
  REQUIRE(report.ok());
  Result<nlohmann::json> loaded = LoadLastReport(f.options.state_dir);
  REQUIRE(loaded.ok());
  CHECK((*loaded)["parts"][0]["filename"] == "bad\xef\xbf\xbd\xef\xbf\xbdname");
  CHECK(StatusExitCode(loaded) == kStatusOk);
}

TEST_CASE("RenderReport says 1 part in the singular") {
  nlohmann::json one = {{"status", "ok"},
                        {"started_at", "2015-08-30T12:16:00.000Z"},
                        {"instance_id", "i-0abc"},
                        {"totals", {{"parts", 1}, {"ok", 1}}},
                        {"parts", nlohmann::json::array()}};
  CHECK(RenderReport(one).rfind("last run: ok at 2015-08-30T12:16:00.000Z on instance i-0abc: "
                                "1 part, 1 ok, 0 failed",
                                0) == 0);
}

TEST_CASE("FormatRfc3339 and FormatStamp print UTC with milliseconds") {
  Clock::WallTime t{std::chrono::milliseconds(1440936960123)};
  CHECK(FormatRfc3339(t) == "2015-08-30T12:16:00.123Z");
  CHECK(FormatStamp(t) == "20150830T121600Z");
}

}  // namespace
}  // namespace s3us::run

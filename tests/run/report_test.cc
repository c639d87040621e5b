#include "run/report.h"

#include <catch2/catch.hpp>
#include <filesystem>

#include "core/files.h"
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

TEST_CASE("Status treats an unreadable report as failed and a symlinked one as unsafe") {
  testing::TempDir t;
  REQUIRE(MakePrivateDir(t / "state").ok());
  REQUIRE(WriteNewFile(t / "state/report.json", "not json", 0600).ok());
  Result<nlohmann::json> loaded = LoadLastReport(t / "state");
  REQUIRE_FALSE(loaded.ok());
  CHECK(loaded.error().code() == ErrorCode::kInvalidInput);
  CHECK(StatusExitCode(loaded) == kStatusFailed);

  fs::remove(t / "state/report.json");
  fs::create_symlink("/etc/passwd", t / "state/report.json");
  loaded = LoadLastReport(t / "state");
  REQUIRE_FALSE(loaded.ok());
  CHECK(loaded.error().code() == ErrorCode::kUnsafePath);
}

TEST_CASE("Status survives a report whose fields have the wrong types") {
  nlohmann::json odd = {{"status", 7}, {"totals", 3}, {"parts", {{{"run_order", "x"}}}}};
  CHECK(RenderReport(odd) == "last run: the report is malformed\n");
  CHECK(StatusExitCode(Result<nlohmann::json>(odd)) == kStatusFailed);
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

#include "handlers/cloud_config.h"

#include <catch2/catch.hpp>
#include <filesystem>

#include "core/files.h"
#include "tests/run/run_test_util.h"

namespace s3us::handlers {
namespace {

namespace fs = std::filesystem;
using testing::MakePart;
using testing::ModeOf;
using testing::Slurp;
using testing::TempDir;

run::HandlerContext Ctx(const TempDir& t, int count, bool dry_run = false) {
  run::HandlerContext ctx;
  ctx.paths.cloud_config_dir = t / "cloud.cfg.d";
  ctx.part_count = count;
  ctx.dry_run = dry_run;
  return ctx;
}

TEST_CASE("CloudConfigHandler passes cloud-config through byte-exact") {
  const std::string payloads[] = {
      "#cloud-config\r\npackages:\r\n  - jq\r\n",
      "#cloud-config\nruncmd:\n  - echo hi   \n\t\n",
      "#cloud-config\nhostname: x",
      "#cloud-config\nhostname: y\n" + std::string("\0\xff\xfe", 3),
  };
  for (const std::string& payload : payloads) {
    TempDir t;
    CloudConfigHandler h;
    run::HandlerContext ctx = Ctx(t, 12);
    REQUIRE(h.Begin(ctx).ok());
    Result<run::Outcome> out = h.Handle(MakePart(7, "text/cloud-config", "cc", payload), ctx);
    REQUIRE(out.ok());
    CHECK(out->kind == run::OutcomeKind::kOk);
    CHECK(out->warnings.empty());
    std::string path = t / "cloud.cfg.d/90-s3-user-script-007.cfg";
    CHECK(out->message == "wrote " + std::to_string(payload.size()) + " bytes to " + path);
    CHECK(Slurp(path) == payload);
    CHECK(ModeOf(path) == 0600);
    CHECK(ModeOf(t / "cloud.cfg.d") == 0755);
  }
}

TEST_CASE("CloudConfigHandler warns that a Merge-Type header does not apply in cloud.cfg.d") {
  TempDir t;
  CloudConfigHandler h;
  run::HandlerContext ctx = Ctx(t, 1);
  REQUIRE(h.Begin(ctx).ok());
  userdata::Part part = MakePart(1, "text/cloud-config", "m", "#cloud-config\na: [1]\n");
  part.headers.emplace_back("Merge-Type", "list(append)");
  Result<run::Outcome> out = h.Handle(part, ctx);
  REQUIRE(out.ok());
  CHECK(out->kind == run::OutcomeKind::kOk);
  REQUIRE(out->warnings.size() == 1);
  CHECK(out->warnings[0] == "Merge-Type is not applied: cloud-init merges the files in " +
                                ctx.paths.cloud_config_dir +
                                " by its own rules (the cloud-init bridge keeps it)");
}

TEST_CASE("CloudConfigHandler writes jsonp beside, with a warning") {
  TempDir t;
  CloudConfigHandler h;
  run::HandlerContext ctx = Ctx(t, 3);
  REQUIRE(h.Begin(ctx).ok());
  std::string jsonp = "#cloud-config-jsonp\n[{\"op\": \"add\", \"path\": \"/a\", \"value\": 1}]\n";
  Result<run::Outcome> a = h.Handle(MakePart(1, "text/cloud-config-jsonp", "p", jsonp), ctx);
  REQUIRE(a.ok());
  CHECK(a->kind == run::OutcomeKind::kOk);
  CHECK(Slurp(t / "cloud.cfg.d/90-s3-user-script-001.jsonp") == jsonp);
  REQUIRE(a->warnings.size() == 1);
  CHECK(a->warnings[0].find("will not be applied by cloud-init") != std::string::npos);
  CHECK_FALSE(fs::exists(t / "cloud.cfg.d/90-s3-user-script-001.cfg"));
}

}  // namespace
}  // namespace s3us::handlers

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

TEST_CASE("CloudConfigHandler writes jsonp and templated cloud-config beside, with a warning") {
  TempDir t;
  CloudConfigHandler h;
  run::HandlerContext ctx = Ctx(t, 3);
  REQUIRE(h.Begin(ctx).ok());
  std::string jsonp = "#cloud-config-jsonp\n[{\"op\": \"add\", \"path\": \"/a\", \"value\": 1}]\n";
  Result<run::Outcome> a = h.Handle(MakePart(1, "text/cloud-config-jsonp", "p", jsonp), ctx);
  std::string jinja = "## template: jinja\n#cloud-config\nhostname: {{ v1.instance_id }}\n";
  Result<run::Outcome> b = h.Handle(MakePart(2, "text/jinja2", "j", jinja), ctx);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->kind == run::OutcomeKind::kOk);
  CHECK(Slurp(t / "cloud.cfg.d/90-s3-user-script-001.jsonp") == jsonp);
  CHECK(Slurp(t / "cloud.cfg.d/90-s3-user-script-002.jinja") == jinja);
  REQUIRE(a->warnings.size() == 1);
  CHECK(a->warnings[0].find("will not be applied by cloud-init") != std::string::npos);
  REQUIRE(b->warnings.size() == 1);
  CHECK(b->warnings[0].find("will not be read by cloud-init") != std::string::npos);
  CHECK_FALSE(fs::exists(t / "cloud.cfg.d/90-s3-user-script-001.cfg"));
}

TEST_CASE("CloudConfigHandler skips a jinja template that is not cloud-config") {
  TempDir t;
  CloudConfigHandler h;
  run::HandlerContext ctx = Ctx(t, 1);
  Result<run::Outcome> out = h.Handle(
      MakePart(1, "text/jinja2", "j", "## template: jinja\n#!/bin/sh\necho {{ x }}\n"), ctx);
  REQUIRE(out.ok());
  CHECK(out->kind == run::OutcomeKind::kSkipped);
  CHECK_FALSE(fs::exists(t / "cloud.cfg.d"));
}

TEST_CASE("JinjaTemplateKind follows cloud-init's starts-with rule on the template body") {
  CHECK(JinjaTemplateKind("## template: jinja\n#cloud-config\na: 1\n") == "cloud-config");
  CHECK(JinjaTemplateKind("## template: jinja\n  #Cloud-Config\n") == "cloud-config");
  CHECK(JinjaTemplateKind("## template: jinja\n#cloud-config-jsonp\n[]") == "jsonp");
  CHECK(JinjaTemplateKind("## template: jinja\n#cloud-config-archive\n") == "");
  CHECK(JinjaTemplateKind("## template: jinja\n#!/bin/sh\n") == "");
  CHECK(JinjaTemplateKind("## template: jinja") == "");
}

TEST_CASE("CloudConfigHandler in a dry run says where the file would go and writes nothing") {
  TempDir t;
  CloudConfigHandler h;
  run::HandlerContext ctx = Ctx(t, 2, /*dry_run=*/true);
  Result<run::Outcome> out = h.Handle(MakePart(2, "text/cloud-config", "cc", "a: 1\n"), ctx);
  REQUIRE(out.ok());
  CHECK(out->kind == run::OutcomeKind::kDryRun);
  CHECK(out->message ==
        "would write 5 bytes to " + t.path + "/cloud.cfg.d/90-s3-user-script-002.cfg");
  REQUIRE(h.End(ctx, true).ok());
  CHECK_FALSE(fs::exists(t / "cloud.cfg.d"));
}

TEST_CASE("CloudConfigHandler removes its stale files after a complete run, nothing else") {
  TempDir t;
  REQUIRE(MakePrivateDir(t / "cloud.cfg.d", 0755).ok());
  REQUIRE(WriteNewFile(t / "cloud.cfg.d/90-s3-user-script-005.cfg", "old", 0600).ok());
  REQUIRE(WriteNewFile(t / "cloud.cfg.d/05-logging.cfg", "theirs", 0644).ok());
  CloudConfigHandler h;
  run::HandlerContext ctx = Ctx(t, 1);
  REQUIRE(h.Begin(ctx).ok());
  REQUIRE(h.Handle(MakePart(1, "text/cloud-config", "cc", "new"), ctx).ok());
  SECTION("an interrupted run keeps them") {
    REQUIRE(h.End(ctx, false).ok());
    CHECK(fs::exists(t / "cloud.cfg.d/90-s3-user-script-005.cfg"));
  }
  SECTION("a complete run removes them") {
    REQUIRE(h.End(ctx, true).ok());
    CHECK_FALSE(fs::exists(t / "cloud.cfg.d/90-s3-user-script-005.cfg"));
    CHECK(Slurp(t / "cloud.cfg.d/90-s3-user-script-001.cfg") == "new");
    CHECK(Slurp(t / "cloud.cfg.d/05-logging.cfg") == "theirs");
  }
}

TEST_CASE("CloudConfigHandler never writes through a symlink") {
  TempDir t;
  REQUIRE(WriteNewFile(t / "target", "keep", 0600).ok());
  SECTION("at the directory") {
    fs::create_directory(t / "real");
    fs::create_directory_symlink(t / "real", t / "cloud.cfg.d");
    CloudConfigHandler h;
    run::HandlerContext ctx = Ctx(t, 1);
    Result<run::Outcome> out = h.Handle(MakePart(1, "text/cloud-config", "cc", "x"), ctx);
    REQUIRE_FALSE(out.ok());
    CHECK(out.error().code() == ErrorCode::kUnsafePath);
    CHECK(fs::is_empty(t / "real"));
  }
  SECTION("at the file name") {
    REQUIRE(MakePrivateDir(t / "cloud.cfg.d", 0755).ok());
    fs::create_symlink(t / "target", t / "cloud.cfg.d/90-s3-user-script-001.cfg");
    CloudConfigHandler h;
    run::HandlerContext ctx = Ctx(t, 1);
    Result<run::Outcome> out = h.Handle(MakePart(1, "text/cloud-config", "cc", "x"), ctx);
    REQUIRE_FALSE(out.ok());
    CHECK(out.error().code() == ErrorCode::kUnsafePath);
    CHECK(Slurp(t / "target") == "keep");
  }
  SECTION("in a group-writable directory") {
    REQUIRE(MakePrivateDir(t / "cloud.cfg.d", 0777).ok());
    CloudConfigHandler h;
    run::HandlerContext ctx = Ctx(t, 1);
    Result<run::Outcome> out = h.Handle(MakePart(1, "text/cloud-config", "cc", "x"), ctx);
    REQUIRE_FALSE(out.ok());
    CHECK(out.error().code() == ErrorCode::kUnsafePath);
  }
}

}  // namespace
}  // namespace s3us::handlers

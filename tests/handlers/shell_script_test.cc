#include "handlers/shell_script.h"

#include <catch2/catch.hpp>
#include <filesystem>

#include "core/files.h"
#include "handlers/boothook.h"
#include "tests/run/run_test_util.h"

namespace s3us::handlers {
namespace {

namespace fs = std::filesystem;
using testing::MakePart;
using testing::ModeOf;
using testing::Slurp;
using testing::TempDir;

// Records what it was asked to run, and what the file held at that moment.
class RecordingExecutor : public run::Executor {
 public:
  Result<run::ExitInfo> Execute(const std::string& path, const userdata::Part&) override {
    paths.push_back(path);
    contents.push_back(Slurp(path));
    modes.push_back(ModeOf(path));
    run::ExitInfo info;
    info.exited = true;
    info.status = status;
    return info;
  }
  std::vector<std::string> paths, contents;
  std::vector<mode_t> modes;
  int status = 0;
};

struct Fixture {
  Fixture() {
    ctx.paths.scripts_dir = t / "scripts";
    ctx.paths.boothooks_dir = t / "boothooks";
    ctx.part_count = 12;
    ctx.executor = &executor;
  }
  TempDir t;
  RecordingExecutor executor;
  run::HandlerContext ctx;
};

TEST_CASE("ShellScriptHandler writes a sanitised 0700 file and runs it") {
  Fixture f;
  ShellScriptHandler h;
  Result<run::Outcome> out = h.Handle(
      MakePart(3, "text/x-shellscript", "../../etc/passwd", "#!/bin/sh\r\nexit 0\r\n"), f.ctx);
  REQUIRE(out.ok());
  CHECK(out->kind == run::OutcomeKind::kOk);
  REQUIRE(f.executor.paths.size() == 1);
  CHECK(f.executor.paths[0] == f.t / "scripts/003-etc_passwd");
  CHECK(f.executor.contents[0] == "#!/bin/sh\nexit 0\n");
  CHECK(f.executor.modes[0] == 0700);
  CHECK(ModeOf(f.t / "scripts") == 0700);
  CHECK_FALSE(fs::exists(f.t / "etc"));
}

TEST_CASE("ShellScriptHandler writes executables byte-exact") {
  Fixture f;
  ShellScriptHandler h;
  std::string elf = std::string(
      "\x7f"
      "ELF\x02\x01\x01\0\r\n\r\n",
      12);
  REQUIRE(h.Handle(MakePart(1, "application/x-executable", "tool", elf), f.ctx).ok());
  CHECK(f.executor.contents.at(0) == elf);
}

TEST_CASE("ShellScriptHandler reports a non-zero exit as a failed outcome") {
  Fixture f;
  f.executor.status = 7;
  ShellScriptHandler h;
  Result<run::Outcome> out = h.Handle(MakePart(1, "text/x-shellscript", "a", "#!/bin/sh\n"), f.ctx);
  REQUIRE(out.ok());
  CHECK(out->kind == run::OutcomeKind::kFailed);
  CHECK(out->exit_status == 7);
  CHECK(out->message == "exited with status 7");
}

TEST_CASE("ShellScriptHandler refuses a symlinked scripts directory") {
  Fixture f;
  fs::create_directory(f.t / "victim");
  fs::create_directory_symlink(f.t / "victim", f.t / "scripts");
  ShellScriptHandler h;
  Result<run::Outcome> out = h.Handle(MakePart(1, "text/x-shellscript", "a", "#!/bin/sh\n"), f.ctx);
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().code() == ErrorCode::kUnsafePath);
  CHECK(fs::is_empty(f.t / "victim"));
  CHECK(f.executor.paths.empty());
}

TEST_CASE("ShellScriptHandler in a dry run writes and runs nothing") {
  Fixture f;
  f.ctx.dry_run = true;
  f.ctx.executor = nullptr;
  ShellScriptHandler h;
  Result<run::Outcome> out = h.Handle(MakePart(1, "text/x-shellscript", "a", "#!/bin/sh\n"), f.ctx);
  REQUIRE(out.ok());
  CHECK(out->kind == run::OutcomeKind::kDryRun);
  CHECK(out->message == "would write 10 bytes to " + f.t.path + "/scripts/001-a and run it");
  CHECK_FALSE(fs::exists(f.t / "scripts"));
}

TEST_CASE("BoothookHandler runs the script without its #cloud-boothook line") {
  Fixture f;
  BoothookHandler h;
  Result<run::Outcome> out = h.Handle(
      MakePart(2, "text/cloud-boothook", "hook", "#cloud-boothook\n#!/bin/sh\necho $INSTANCE_ID\n"),
      f.ctx);
  REQUIRE(out.ok());
  CHECK(f.executor.paths.at(0) == f.t / "boothooks/002-hook");
  CHECK(f.executor.contents.at(0) == "#!/bin/sh\necho $INSTANCE_ID\n");
  CHECK(f.executor.modes.at(0) == 0700);
}

}  // namespace
}  // namespace s3us::handlers

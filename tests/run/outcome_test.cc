#include <catch2/catch.hpp>
#include <cerrno>

#include "run/handler.h"

namespace s3us::run {
namespace {

ExitInfo ExecFailed(int error) {
  ExitInfo info;
  info.exec_errno = error;
  return info;
}

TEST_CASE("OutcomeFromExit names the file an exec refused for permission and suggests noexec") {
  Outcome outcome =
      OutcomeFromExit(ExecFailed(EACCES), "/tmp/w/scripts/001-user-script", "set TMPDIR");
  CHECK(outcome.kind == OutcomeKind::kFailed);
  CHECK(outcome.message ==
        "cannot execute /tmp/w/scripts/001-user-script: Permission denied (is its filesystem "
        "mounted noexec? set TMPDIR)");
  CHECK(OutcomeFromExit(ExecFailed(EACCES), "/s/x").message ==
        "cannot execute /s/x: Permission denied (is its filesystem mounted noexec?)");
}

TEST_CASE("OutcomeFromExit names the file of an exec format error") {
  CHECK(OutcomeFromExit(ExecFailed(ENOEXEC), "/s/x", "set TMPDIR").message ==
        "cannot execute /s/x: Exec format error (not a binary, and no #! line the kernel "
        "takes: none, or one too long)");
}

}  // namespace
}  // namespace s3us::run

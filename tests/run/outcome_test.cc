#include <catch2/catch.hpp>
#include <cerrno>

#include "core/files.h"
#include "run/handler.h"
#include "tests/fakes/temp_dir.h"

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

TEST_CASE("OutcomeFromExit names a missing or unusable #! interpreter, not the script") {
  // "cannot execute SCRIPT: No such file or directory" named the script, which exists;
  // "#!/tmp" was told to look for a noexec mount.
  testing::TempDir t;
  const std::string missing = t / "missing", directory = t / "directory";
  REQUIRE(WriteNewFile(missing, "#!/nonexistent/interp -e\necho\n", 0700).ok());
  REQUIRE(WriteNewFile(directory, "#! /tmp\n", 0700).ok());
  CHECK(OutcomeFromExit(ExecFailed(ENOENT), missing).message ==
        "cannot execute " + missing +
            ": No such file or directory (its #! interpreter /nonexistent/interp does not exist)");
  CHECK(OutcomeFromExit(ExecFailed(EACCES), directory).message ==
        "cannot execute " + directory +
            ": Permission denied (its #! interpreter /tmp cannot be "
            "executed)");
}

TEST_CASE("OutcomeFromExit names the file of an exec format error") {
  CHECK(OutcomeFromExit(ExecFailed(ENOEXEC), "/s/x", "set TMPDIR").message ==
        "cannot execute /s/x: Exec format error (not a binary, and no #! line the kernel "
        "takes: none, or one too long)");
}

}  // namespace
}  // namespace s3us::run

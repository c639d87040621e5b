#include "cli/exit_codes.h"

#include <catch2/catch.hpp>

#include "cli/plan_builder.h"
#include "core/secret.h"

namespace s3us::cli {
namespace {

TEST_CASE("one table: what the machine lacks is setup, content and transfer are fetch") {
  CHECK(ExitCodeFor(ErrorCode::kNoCredentials) == kExitSetup);
  CHECK(ExitCodeFor(ErrorCode::kImdsUnavailable) == kExitSetup);
  CHECK(ExitCodeFor(ErrorCode::kIo) == kExitSetup);
  CHECK(ExitCodeFor(ErrorCode::kUnsafePath) == kExitSetup);
  CHECK(ExitCodeFor(ErrorCode::kNotFound) == kExitFetch);
  CHECK(ExitCodeFor(ErrorCode::kIntegrity) == kExitFetch);
  CHECK(ExitCodeFor(ErrorCode::kAccessDenied) == kExitFetch);
  CHECK(ExitCodeFor(ErrorCode::kInvalidInput) == kExitFetch);
  CHECK(ExitCodeFor(ErrorCode::kHandlerFailed) == kExitFailed);
}

TEST_CASE("run and get agree: missing IMDS is setup for both") {
  expand::ExpandFailure f{"part 1 line 2", "s3://bkt/k",
                          Error(ErrorCode::kImdsUnavailable, "cause")};
  CHECK(ExitCodeForExpandFailures({f}) == ExitCodeFor(ErrorCode::kImdsUnavailable));
}

TEST_CASE("the worse exit wins: usage over setup over fetch over failed") {
  CHECK(WorseExit(kExitOk, kExitFetch) == kExitFetch);
  CHECK(WorseExit(kExitFetch, kExitSetup) == kExitSetup);
  CHECK(WorseExit(kExitSetup, kExitFetch) == kExitSetup);
  CHECK(WorseExit(kExitFailed, kExitFetch) == kExitFetch);
  CHECK(WorseExit(kExitSetup, kExitUsage) == kExitUsage);
}

TEST_CASE("an error line has the one prefix, no control bytes and no secrets") {
  CHECK(ErrorLine("get: s3://b/k: not found") == "s3-user-script: error: get: s3://b/k: not found");
  CHECK(ErrorLine(std::string("bad\0line\nnext", 13)) ==
        "s3-user-script: error: bad\\x00line\\x0anext");
  RegisterSecretValue("exit-codes-test-secret-value");
  CHECK(ErrorLine("token exit-codes-test-secret-value").find("exit-codes-test-secret-value") ==
        std::string::npos);
}

}  // namespace
}  // namespace s3us::cli

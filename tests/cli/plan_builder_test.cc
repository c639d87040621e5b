#include "cli/plan_builder.h"

#include <catch2/catch.hpp>

#include "cli/exit_codes.h"

namespace s3us::cli {
namespace {

expand::ExpandFailure Failure(ErrorCode code) {
  return expand::ExpandFailure{"part 1 line 2", "s3://bkt/k", Error(code, "cause")};
}

TEST_CASE("missing credentials during expansion exit 3 like get, other failures exit 4") {
  CHECK(ExitCodeForExpandFailures({Failure(ErrorCode::kNoCredentials)}) == kExitSetup);
  CHECK(ExitCodeForExpandFailures(
            {Failure(ErrorCode::kNotFound), Failure(ErrorCode::kNoCredentials)}) == kExitSetup);
  CHECK(ExitCodeForExpandFailures({Failure(ErrorCode::kImdsUnavailable)}) == kExitSetup);
  CHECK(ExitCodeForExpandFailures({Failure(ErrorCode::kNotFound)}) == kExitFetch);
  CHECK(ExitCodeForExpandFailures({Failure(ErrorCode::kIntegrity)}) == kExitFetch);
  CHECK(ExitCodeForExpandFailures({}) == kExitFetch);
}

}  // namespace
}  // namespace s3us::cli

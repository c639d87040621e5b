#include "run/describe.h"

#include <catch2/catch.hpp>

#include "tests/run/run_test_util.h"

namespace s3us::run {
namespace {

using testing::FetchedPart;
using testing::MakePart;

TEST_CASE("DescribePart names a user-data part by its filename") {
  userdata::Part p = MakePart(4, "text/x-foo", "x", "");
  CHECK(DescribePart(p, 7) == "part 4 of 7 (text/x-foo, filename x)");
}

TEST_CASE("DescribePart names a fetched part by its URL and include line") {
  userdata::Part p = FetchedPart(3, "text/x-shellscript", "s3://b/k", "");
  CHECK(DescribePart(p, 7) == "part 3 of 7 (text/x-shellscript from s3://b/k, line 2 of part 1)");
}

TEST_CASE("DescribePart lists a nested include chain innermost first") {
  userdata::Part p = FetchedPart(5, "text/x-shellscript", "s3://b/inner", "");
  p.origin.chain = {{1, 2, "s3://b/outer"}, {1, 4, "s3://b/inner"}};
  CHECK(DescribePart(p, 9) ==
        "part 5 of 9 (text/x-shellscript from s3://b/inner, line 4 of part 1 of s3://b/outer, "
        "line 2 of part 1)");
}

TEST_CASE("DescribePart never prints control bytes from a filename") {
  userdata::Part p = MakePart(1, "text/x-foo", "a\nerror: forged", "");
  CHECK(DescribePart(p, 1) == "part 1 of 1 (text/x-foo, filename a\\x0aerror: forged)");
}

TEST_CASE("DescribePart escapes a content type's escape sequences as error lines do") {
  // The content type went into the run's log raw: ESC [ 2 J cleared the terminal of whoever
  // read it with cat.
  userdata::Part p = MakePart(2, "text/x-\x1b[31mevil", "\x1b[2Jx", "");
  CHECK(DescribePart(p, 2) == "part 2 of 2 (text/x-\\x1b[31mevil, filename \\x1b[2Jx)");
  userdata::Part fetched = FetchedPart(3, "text/x-\x1b]0;t\x07", "s3://b/k", "");
  CHECK(DescribePart(fetched, 3) ==
        "part 3 of 3 (text/x-\\x1b]0;t\\x07 from s3://b/k, line 2 of part 1)");
}

}  // namespace
}  // namespace s3us::run

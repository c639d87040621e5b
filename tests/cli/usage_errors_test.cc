#include "cli/usage_errors.h"

#include <catch2/catch.hpp>

#include "cli/options.h"

namespace s3us::cli {
namespace {

std::string ErrorFor(std::vector<std::string> args) {
  args.insert(args.begin(), "s3-user-script");
  ParsedCommandLine r = ParseCommandLine(args);
  CHECK_FALSE(r.options.has_value());
  CHECK(r.exit_code == kExitUsage);
  return r.output;
}

TEST_CASE("parse errors are one line naming the flag and what it accepts") {
  CHECK(ErrorFor({"run", "--deadline", "0"}) ==
        "s3-user-script: error: run: --deadline: '0' is not a whole number of seconds from 1 to "
        "86400 (see s3-user-script help run)");
  CHECK(ErrorFor({"plan", "--max-parts", "x"}) ==
        "s3-user-script: error: plan: --max-parts: 'x' is not a whole number of parts from 1 to "
        "1000000 (see s3-user-script help plan)");
  CHECK(ErrorFor({"run", "--max-total-bytes", "12Q"}) ==
        "s3-user-script: error: run: --max-total-bytes: '12Q' is not a size (bytes, or with a "
        "unit: 512K, 64M, 1G) (see s3-user-script help run)");
  CHECK(ErrorFor({"get", "s3://bkt/k", "--sha256", "abcd"}) ==
        "s3-user-script: error: get: --sha256: 'abcd' is not a SHA-256 (64 hexadecimal digits) "
        "(see s3-user-script help get)");
  CHECK(ErrorFor({"run", "--state-dir"}) ==
        "s3-user-script: error: run: --state-dir needs a value (see s3-user-script help run)");
  // It said "--deadline needs a value".
  CHECK(ErrorFor({"plan", "--deadline", "20", "--deadline", "4"}) ==
        "s3-user-script: error: plan: --deadline is given more than once (see s3-user-script "
        "help plan)");
  CHECK(ErrorFor({"replay"}) ==
        "s3-user-script: error: replay: FILE is missing (see s3-user-script help replay)");
}

TEST_CASE("a mistyped command or flag gets the nearest name") {
  CHECK(ErrorFor({"pln", "f"}) ==
        "s3-user-script: error: unknown command 'pln'; did you mean plan?");
  CHECK(ErrorFor({"plan", "--jsn"}) ==
        "s3-user-script: error: plan: unknown option --jsn; did you mean --json? (see "
        "s3-user-script help plan)");
  CHECK(ErrorFor({"--deadline", "5", "plan", "f"}) ==
        "s3-user-script: error: plan: --deadline goes after the command: s3-user-script plan "
        "--deadline ... (see s3-user-script help plan)");
  CHECK(ErrorFor({"frobnicate"})
            .rfind("s3-user-script: error: unknown command 'frobnicate'; commands: run, plan, ",
                   0) == 0);
  CHECK(ErrorFor({"help", "pln"}) ==
        "s3-user-script: error: help: unknown command 'pln'; did you mean plan?");
  CHECK(NearestName("--dry-rn", {"--dry-run", "--json"}) == "--dry-run");
  CHECK(NearestName("stat", {"run", "status"}) == "status");
  CHECK(NearestName("zzzzzz", {"run", "status"}).empty());
}

TEST_CASE("help COMMAND is COMMAND --help, and only the top level shows the predecessor's note") {
  ParsedCommandLine top = ParseCommandLine({"s3-user-script", "help"});
  CHECK(top.exit_code == kExitOk);
  CHECK(top.output.find("Predecessor's interface: s3-user-script -b BUCKET") != std::string::npos);
  ParsedCommandLine plan = ParseCommandLine({"s3-user-script", "help", "plan"});
  CHECK(plan.exit_code == kExitOk);
  CHECK(plan.output.find("Usage: s3-user-script plan") != std::string::npos);
  CHECK(plan.output.find("Predecessor's interface: s3-user-script -b") == std::string::npos);
  CHECK(plan.output.find("Exit codes: 0 all ran") != std::string::npos);
  CHECK(plan.output.find("--deadline SECONDS=300") != std::string::npos);
  CHECK(plan.output.find("--max-total-bytes SIZE=256M") != std::string::npos);
}

TEST_CASE("sizes take binary units") {
  CHECK(ParseByteSize("512") == 512u);
  CHECK(ParseByteSize("64M") == 64u << 20);
  CHECK(ParseByteSize("1GiB") == 1u << 30);
  CHECK(ParseByteSize("2kb") == 2048u);
  CHECK_FALSE(ParseByteSize("12Q"));
  CHECK_FALSE(ParseByteSize("M"));
}

}  // namespace
}  // namespace s3us::cli

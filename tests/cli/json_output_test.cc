#include "cli/json_output.h"

#include <catch2/catch.hpp>

#include "core/secret.h"

namespace s3us::cli {
namespace {

using nlohmann::json;

TEST_CASE("a --json command without its document answers with the status shape") {
  CHECK(
      StandInDocument(kExitFetch, "",
                      {"part 1 line 2 (s3://b/k): fetching s3://b/k: HTTP 403",
                       "and 1 more failed includes"}) ==
      json{{"format", 1},
           {"status", "error"},
           {"state_dir", ""},
           {"error",
            "part 1 line 2 (s3://b/k): fetching s3://b/k: HTTP 403\nand 1 more failed includes"}});
  // Nothing printed (there is always a line, but the document must not depend on it).
  CHECK(StandInDocument(kExitSetup, "/s", {})["error"] == "failed with exit code 3");
  // Exit 0 without a document: `run` on an instance without user data.
  CHECK(StandInDocument(kExitOk, "/var/lib/s3-user-script", {}) ==
        json{{"format", 1}, {"status", "not run"}, {"state_dir", "/var/lib/s3-user-script"}});
}

TEST_CASE("the stand-in document redacts secrets as the error line does") {
  Secret token("json-output-test-session-token-0123456789");
  json j = StandInDocument(kExitFetch, "", {"server said " + token.reveal()});
  CHECK(j["error"] == "server said <redacted>");
}

TEST_CASE("the document names the state directory the command used") {
  Options o;
  o.command = Command::kRun;
  CHECK(DocumentStateDir(o) == "/var/lib/s3-user-script");
  o.state_dir = "/s";
  CHECK(DocumentStateDir(o) == "/s");
  o.command = Command::kPlan;
  CHECK(DocumentStateDir(o).empty());
  o.command = Command::kReplay;
  o.state_dir.clear();
  CHECK(DocumentStateDir(o).empty());  // a private temp dir, gone with the failure
}

}  // namespace
}  // namespace s3us::cli

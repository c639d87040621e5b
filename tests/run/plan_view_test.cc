#include "run/plan_view.h"

#include <catch2/catch.hpp>

#include "core/crypto.h"
#include "handlers/builtin.h"
#include "tests/run/run_test_util.h"

namespace s3us::run {
namespace {

using nlohmann::json;
using testing::FetchedPart;
using testing::MakePart;
using testing::MakePlan;

expand::Plan SamplePlan() {
  userdata::Part inner = FetchedPart(0, userdata::kTypeShellScript, "s3://b/inner.sh", "echo\n");
  inner.origin.chain = {{1, 2, "s3://b/outer"}, {1, 1, "s3://b/inner.sh"}};
  userdata::Part outer = FetchedPart(0, userdata::kTypeCloudConfig, "s3://b/outer", "a: 1\n");
  outer.origin.chain = {{1, 2, "s3://b/outer"}};
  expand::Plan plan =
      MakePlan({MakePart(0, userdata::kTypeShellScript, "a.sh", "#!/bin/sh\n"), outer, inner,
                MakePart(0, userdata::kTypeCloudBoothook, "hook", "#cloud-boothook\n"),
                MakePart(0, "text/x-foo", "x", "")});
  plan.objects_fetched = 2;
  plan.bytes_fetched = 11;
  return plan;
}

TEST_CASE("PlanToJson lists each part with stable field names and run order") {
  Registry registry;
  REQUIRE(handlers::RegisterBuiltinHandlers(registry).ok());
  json j = PlanToJson(SamplePlan(), registry);
  CHECK(j["run_order"] == json::array({4, 1, 2, 3, 5}));
  CHECK(j["objects_fetched"] == 2);
  REQUIRE(j["parts"].size() == 5);
  const json& a = j["parts"][0];
  CHECK(a["index"] == 1);
  CHECK(a["run_order"] == 2);
  CHECK(a["content_type"] == "text/x-shellscript");
  CHECK(a["filename"] == "a.sh");
  CHECK(a["handler"] == "shell-script");
  CHECK(a["size"] == 10);
  CHECK(a["sha256"].get<std::string>().size() == 64);
  CHECK(a["source"].is_null());
  CHECK(a["origin"] == json::array());
  const json& inner = j["parts"][2];
  CHECK(inner["source"]["url"] == "s3://b/inner.sh");
  CHECK(inner["source"]["region"] == "eu-west-1");
  CHECK(inner["source"]["verified_by"] == "content-length");
  CHECK(inner["origin"][1] == json{{"part", 1}, {"line", 1}, {"url", "s3://b/inner.sh"}});
  CHECK(j["parts"][1]["handler"] == "cloud-config");
  CHECK(j["parts"][3]["handler"] == "boothook");
  CHECK(j["parts"][3]["run_order"] == 1);
  CHECK(j["parts"][4]["handler"] == "unhandled");
  for (const char* field : {"index", "run_order", "content_type", "filename", "handler", "size",
                            "sha256", "source", "origin"}) {
    CHECK(a.contains(field));
  }
}

TEST_CASE("RenderPlanText draws include chains as an indented tree") {
  Registry registry;
  REQUIRE(handlers::RegisterBuiltinHandlers(registry).ok());
  std::string text = RenderPlanText(SamplePlan(), registry);
  std::string sha_a = Sha256Hex("#!/bin/sh\n").substr(0, 12);
  CHECK(text ==
        "5 parts, 2 objects fetched (11 B)\n"
        "part 1 (runs 2): text/x-shellscript  a.sh  10 B  sha256 " +
            sha_a +
            "  handler shell-script  from user data\n"
            "include at line 2 of part 1 of the user data: s3://b/outer (parts 2-3)\n"
            "  part 2 (runs 3): text/cloud-config  outer  5 B  sha256 " +
            Sha256Hex("a: 1\n").substr(0, 12) +
            "  handler cloud-config  from s3://b/outer\n"
            "  include at line 1 of part 1 of s3://b/outer: s3://b/inner.sh (part 3)\n"
            "    part 3 (runs 4): text/x-shellscript  inner.sh  5 B  sha256 " +
            Sha256Hex("echo\n").substr(0, 12) +
            "  handler shell-script  from s3://b/inner.sh\n"
            "part 4 (runs 1): text/cloud-boothook  hook  16 B  sha256 " +
            Sha256Hex("#cloud-boothook\n").substr(0, 12) +
            "  handler boothook  from user data\n"
            "part 5 (runs 5): text/x-foo  x  0 B  sha256 " +
            Sha256Hex("").substr(0, 12) + "  handler unhandled  from user data\n");
}

TEST_CASE("RenderPlanText counts one part and one object in the singular") {
  Registry registry;
  REQUIRE(handlers::RegisterBuiltinHandlers(registry).ok());
  expand::Plan plan =
      MakePlan({FetchedPart(0, userdata::kTypeShellScript, "s3://b/one.sh", "echo\n")});
  plan.objects_fetched = 1;
  plan.bytes_fetched = 5;
  CHECK(RenderPlanText(plan, registry).rfind("1 part, 1 object fetched (5 B)\n", 0) == 0);
  plan.objects_fetched = 0;
  CHECK(RenderPlanText(plan, registry).rfind("1 part\n", 0) == 0);
}

TEST_CASE("RenderPlanText escapes control bytes from the user data as error lines do") {
  // A MIME Content-Type reached the terminal raw (ESC [ 31 m recoloured it).
  Registry registry;
  REQUIRE(handlers::RegisterBuiltinHandlers(registry).ok());
  expand::Plan plan = MakePlan({MakePart(0, "text/x-\x1b[31mevil", "\x1b[2Jx\n", "")});
  std::string text = RenderPlanText(plan, registry);
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK(text.find("text/x-\\x1b[31mevil  \\x1b[2Jx\\x0a  0 B") != std::string::npos);
  CHECK(PlanToJson(plan, registry)["parts"][0]["content_type"] == "text/x-\x1b[31mevil");
}

}  // namespace
}  // namespace s3us::run

#include "run/script_env.h"

#include <algorithm>
#include <catch2/catch.hpp>

#include "tests/run/run_test_util.h"

namespace s3us::run {
namespace {

std::string Get(const std::vector<std::string>& env, const std::string& name) {
  std::string result = "<unset>";
  int seen = 0;
  for (const std::string& var : env) {
    if (var.rfind(name + "=", 0) == 0) {
      result = var.substr(name.size() + 1);
      ++seen;
    }
  }
  REQUIRE(seen <= 1);
  return result;
}

TEST_CASE("BuildScriptEnvironment adds the documented variables and overrides inherited ones") {
  InstanceFacts facts;
  facts.instance_id = "i-0123456789abcdef0";
  facts.region = "eu-west-1";
  userdata::Part part = testing::FetchedPart(2, "text/x-shellscript", "s3://b/k/run.sh", "x");
  const char* base[] = {"HOME=/root", "PATH=/usr/bin:/bin", "S3US_REGION=stale",
                        "INSTANCE_ID=stale", nullptr};
  ScriptEnvFacts f{&facts, &part, 5, "/var/lib/s3-user-script", "/usr/local/bin/s3-user-script",
                   {}};
  std::vector<std::string> env = BuildScriptEnvironment(const_cast<char* const*>(base), f);
  CHECK(Get(env, "HOME") == "/root");
  CHECK(Get(env, "INSTANCE_ID") == "i-0123456789abcdef0");
  CHECK(Get(env, "S3US_INSTANCE_ID") == "i-0123456789abcdef0");
  CHECK(Get(env, "S3US_REGION") == "eu-west-1");
  CHECK(Get(env, "S3US_PART_INDEX") == "2");
  CHECK(Get(env, "S3US_PART_COUNT") == "5");
  CHECK(Get(env, "S3US_PART_SOURCE") == "s3://b/k/run.sh");
  CHECK(Get(env, "S3US_STATE_DIR") == "/var/lib/s3-user-script");
  CHECK(Get(env, "S3_USER_SCRIPT") == "/usr/local/bin/s3-user-script");
  CHECK(Get(env, "PATH") == "/usr/local/bin:/usr/bin:/bin");
}

TEST_CASE("BuildScriptEnvironment leaves S3US_PART_SOURCE unset for user-data parts") {
  InstanceFacts facts;
  userdata::Part part = testing::MakePart(1, "text/x-shellscript", "a", "x");
  const char* base[] = {"S3US_PART_SOURCE=s3://leaked/from/parent", "S3_USER_SCRIPT=/old", nullptr};
  ScriptEnvFacts f{&facts, &part, 1, "/s", "", {}};
  std::vector<std::string> env = BuildScriptEnvironment(const_cast<char* const*>(base), f);
  CHECK(Get(env, "S3US_PART_SOURCE") == "<unset>");
  CHECK(Get(env, "S3_USER_SCRIPT") == "<unset>");
  CHECK(Get(env, "PATH") == "<unset>");
}

TEST_CASE("BuildScriptEnvironment creates PATH when the parent had none") {
  InstanceFacts facts;
  userdata::Part part = testing::MakePart(1, "text/x-shellscript", "a", "x");
  ScriptEnvFacts f{&facts, &part, 1, "/s", "/opt/s3us/bin/s3-user-script", {}};
  std::vector<std::string> env = BuildScriptEnvironment(nullptr, f);
  CHECK(Get(env, "PATH") == "/opt/s3us/bin:/usr/sbin:/usr/bin:/sbin:/bin");
}

TEST_CASE("BuildScriptEnvironment adds the command line's settings the caller did not set") {
  InstanceFacts facts;
  userdata::Part part = testing::MakePart(1, "text/x-shellscript", "a", "x");
  ScriptEnvFacts f{&facts,
                   &part,
                   1,
                   "/s",
                   "",
                   {"AWS_ENDPOINT_URL_S3=http://127.0.0.1:9000", "AWS_REGION=eu-west-1",
                    "S3US_REGION=forged", "PATH=/forged"}};
  const char* base[] = {"AWS_REGION=", "PATH=/usr/bin", nullptr};
  std::vector<std::string> env = BuildScriptEnvironment(const_cast<char* const*>(base), f);
  CHECK(Get(env, "AWS_ENDPOINT_URL_S3") == "http://127.0.0.1:9000");
  CHECK(Get(env, "AWS_REGION").empty());   // the caller's, even empty, wins
  CHECK(Get(env, "S3US_REGION").empty());  // ours are never defaults
  CHECK(Get(env, "PATH") == "/usr/bin");
  CHECK(Get(BuildScriptEnvironment(nullptr, f), "AWS_REGION") == "eu-west-1");
}

}  // namespace
}  // namespace s3us::run

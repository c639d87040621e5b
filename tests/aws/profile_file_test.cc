#include "aws/profile_file.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "aws/test_data.h"
#include "core/strings.h"

namespace s3us::aws {
namespace {

using nlohmann::json;

json ToJson(const std::map<std::string, Profile>& profiles) {
  json out = json::object();
  for (const auto& [name, profile] : profiles) {
    json props = json::object();
    for (const auto& [k, v] : profile.properties) props[k] = v;
    out[name] = props;
  }
  return out;
}

Result<ProfileSet> Parse(const json& input) {
  ProfileSet set;
  if (input.contains("configFile")) {
    Status st = MergeProfileFile(input["configFile"].get<std::string>(), ProfileFileKind::kConfig,
                                 "config", set);
    if (!st.ok()) return std::move(st).error();
  }
  if (input.contains("credentialsFile")) {
    Status st = MergeProfileFile(input["credentialsFile"].get<std::string>(),
                                 ProfileFileKind::kCredentials, "credentials", set);
    if (!st.ok()) return std::move(st).error();
  }
  return set;
}

TEST_CASE("MergeProfileFile passes every smithy-rs profile parser case") {
  json suite = testdata::LoadSmithyJson("profile-parser-tests.json");
  REQUIRE(suite["tests"].size() == 65);
  int checked = 0;
  for (const json& t : suite["tests"]) {
    INFO(t["name"].get<std::string>());
    Result<ProfileSet> set = Parse(t["input"]);
    const json& out = t["output"];
    if (out.contains("errorContaining")) {
      REQUIRE_FALSE(set.ok());
      CHECK(set.error().code() == ErrorCode::kInvalidInput);
      CHECK_THAT(ToLower(set.error().ToString()),
                 Catch::Contains(ToLower(out["errorContaining"].get<std::string>())));
    } else {
      REQUIRE(set.ok());
      CHECK(ToJson(set->profiles) == out["config"]["profiles"]);
      if (out["config"].contains("sso_sessions")) {
        CHECK(ToJson(set->sso_sessions) == out["config"]["sso_sessions"]);
      }
    }
    ++checked;
  }
  CHECK(checked == 65);
}

TEST_CASE("MergeProfileFile errors name the file and line, never a value") {
  ProfileSet set;
  Status st = MergeProfileFile("[default]\naws_secret_access_key = s3cr3tvalue\ns3 =\n nope",
                               ProfileFileKind::kCredentials, "/home/u/.aws/credentials", set);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().ToString() ==
        "parsing /home/u/.aws/credentials: line 4: expected an '=' sign defining a sub-property");
  st = MergeProfileFile("[default]\nkey = s3cr3tvalue\n[x", ProfileFileKind::kConfig, "cfg", set);
  REQUIRE_FALSE(st.ok());
  CHECK_THAT(st.error().ToString(), !Catch::Contains("s3cr3tvalue"));
  CHECK_THAT(st.error().ToString(), Catch::Contains("line 3"));
}

TEST_CASE("Profile sub-properties and services sections are readable") {
  ProfileSet set;
  REQUIRE(MergeProfileFile("[profile dev]\nservices = local\ns3 =\n  addressing_style = path\n"
                           "  Endpoint_URL = http://127.0.0.1:9000\n"
                           "[services local]\ns3 =\n  endpoint_url = http://localhost:4566\n",
                           ProfileFileKind::kConfig, "config", set)
              .ok());
  const Profile* dev = set.FindProfile("dev");
  REQUIRE(dev != nullptr);
  std::map<std::string, std::string> s3 = dev->SubProperties("s3");
  CHECK(s3.size() == 2);
  CHECK(s3["addressing_style"] == "path");
  CHECK(s3["endpoint_url"] == "http://127.0.0.1:9000");
  CHECK(dev->SubProperties("services").empty());
  CHECK(dev->SubProperties("missing").empty());
  const Profile* local = set.FindServices("local");
  REQUIRE(local != nullptr);
  CHECK(local->SubProperties("s3")["endpoint_url"] == "http://localhost:4566");
  CHECK(set.FindProfile("local") == nullptr);
}

TEST_CASE("Profile records which files contributed to it") {
  ProfileSet set;
  REQUIRE(
      MergeProfileFile("[default]\nregion = us-east-1", ProfileFileKind::kConfig, "cfg", set).ok());
  REQUIRE(MergeProfileFile("[default]\naws_access_key_id = AKID\n[other]\na = b",
                           ProfileFileKind::kCredentials, "creds", set)
              .ok());
  CHECK(set.FindProfile("default")->files == std::vector<std::string>{"cfg", "creds"});
  CHECK(set.FindProfile("other")->files == std::vector<std::string>{"creds"});
}

TEST_CASE("Indented comment lines are comments, as in the AWS CLI") {
  ProfileSet set;
  REQUIRE(MergeProfileFile("[default]\nregion = us-east-1\n  # note\n  ; note\n",
                           ProfileFileKind::kConfig, "cfg", set)
              .ok());
  CHECK(*set.FindProfile("default")->Get("region") == "us-east-1");
}

}  // namespace
}  // namespace s3us::aws

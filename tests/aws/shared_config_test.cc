#include "aws/shared_config.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "aws/test_data.h"
#include "core/files.h"
#include "fakes/fake_clock.h"
#include "fakes/temp_dir.h"

namespace s3us::aws {
namespace {

using nlohmann::json;

std::map<std::string, std::string> EnvVars(const json& env) {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : env.items()) out[k] = v.get<std::string>();
  return out;
}

TEST_CASE("LocateSharedFiles follows every smithy-rs file location case for Linux") {
  json suite = testdata::LoadSmithyJson("file-location-tests.json");
  int checked = 0;
  for (const json& t : suite["tests"]) {
    if (t["platform"] != "linux") continue;
    INFO(t["name"].get<std::string>());
    std::map<std::string, std::string> vars = EnvVars(t["environment"]);
    SharedFileLocations loc = LocateSharedFiles(Environment::Fake(vars));
    CHECK(loc.config == t["configLocation"].get<std::string>());
    CHECK(loc.credentials == t["credentialsLocation"].get<std::string>());
    if (t.contains("profile")) {
      std::string expected = t["profile"].get<std::string>();
      Environment env = Environment::Fake(
          vars, {{loc.config, "[default]\na = 1\n[profile " + expected + "]\nb = 2\n"}});
      Result<SharedConfig> cfg = LoadSharedConfig(env);
      REQUIRE(cfg.ok());
      CHECK(cfg->profile_name == expected);
      CHECK(cfg->Selected() != nullptr);
    }
    ++checked;
  }
  CHECK(checked == 4);
}

TEST_CASE("Profile selection prefers the override, then AWS_PROFILE, then AWS_DEFAULT_PROFILE") {
  std::map<std::string, std::string> files = {
      {"/h/.aws/config", "[default]\n[profile a]\n[profile b]\n[profile c]\n"}};
  auto load = [&](std::map<std::string, std::string> vars, std::optional<std::string> o = {}) {
    vars["HOME"] = "/h";
    Result<SharedConfig> cfg = LoadSharedConfig(Environment::Fake(vars, files), o);
    REQUIRE(cfg.ok());
    return cfg->profile_name + "/" + cfg->profile_source;
  };
  CHECK(load({}) == "default/default");
  CHECK(load({{"AWS_DEFAULT_PROFILE", "b"}}) == "b/AWS_DEFAULT_PROFILE");
  CHECK(load({{"AWS_PROFILE", "a"}, {"AWS_DEFAULT_PROFILE", "b"}}) == "a/AWS_PROFILE");
  CHECK(load({{"AWS_PROFILE", "  "}, {"AWS_DEFAULT_PROFILE", "b"}}) == "b/AWS_DEFAULT_PROFILE");
  CHECK(load({{"AWS_PROFILE", "a"}}, "c") == "c/override");
}

TEST_CASE("LoadSharedConfig lets credentials-file values win and expands ~") {
  Environment env = Environment::Fake(
      {{"HOME", "/h"}, {"AWS_CONFIG_FILE", "~/cfg"}, {"AWS_SHARED_CREDENTIALS_FILE", "/c/creds"}},
      {{"/h/cfg", "[default]\nregion = us-east-1\naws_access_key_id = FROMCONFIG\n"},
       {"/c/creds", "[default]\naws_access_key_id = FROMCREDS\n"}});
  Result<SharedConfig> cfg = LoadSharedConfig(env);
  REQUIRE(cfg.ok());
  CHECK(cfg->files.config == "/h/cfg");
  CHECK(*cfg->Selected()->Get("aws_access_key_id") == "FROMCREDS");
  CHECK(*cfg->Selected()->Get("region") == "us-east-1");
}

TEST_CASE("LoadSharedConfig without files or HOME yields an empty default profile set") {
  Result<SharedConfig> cfg = LoadSharedConfig(Environment::Fake({}));
  REQUIRE(cfg.ok());
  CHECK(cfg->files.config.empty());
  CHECK(cfg->Selected() == nullptr);
  CHECK(cfg->profile_name == "default");
}

TEST_CASE("LoadSharedConfig rejects an explicitly selected profile that is not defined") {
  Environment env = Environment::Fake({{"HOME", "/h"}, {"AWS_PROFILE", "prod"}},
                                      {{"/h/.aws/config", "[default]\n"}});
  Result<SharedConfig> cfg = LoadSharedConfig(env);
  REQUIRE_FALSE(cfg.ok());
  CHECK(cfg.error().code() == ErrorCode::kInvalidInput);
  CHECK(cfg.error().ToString() ==
        "profile 'prod' (from AWS_PROFILE) not found: it is not defined in /h/.aws/config or "
        "/h/.aws/credentials");
}

TEST_CASE("LoadSharedConfig reports grammar errors with the file name") {
  Environment env =
      Environment::Fake({{"HOME", "/h"}}, {{"/h/.aws/credentials", "key = secretvalue\n"}});
  Result<SharedConfig> cfg = LoadSharedConfig(env);
  REQUIRE_FALSE(cfg.ok());
  CHECK(cfg.error().ToString() ==
        "parsing /h/.aws/credentials: line 1: expected a profile definition");
}

TEST_CASE("LoadSharedConfig passes on a file that exists but cannot be read") {
  Environment env(
      [](std::string_view name) -> std::optional<std::string> {
        if (name == "HOME") return "/h";
        return std::nullopt;
      },
      [](const std::string& path) -> Result<std::optional<std::string>> {
        return Error(ErrorCode::kIo, "cannot open " + path + ": permission denied");
      });
  Result<SharedConfig> cfg = LoadSharedConfig(env);
  REQUIRE_FALSE(cfg.ok());
  CHECK(cfg.error().code() == ErrorCode::kIo);
  CHECK_THAT(cfg.error().ToString(), Catch::Contains("/h/.aws/config"));
}

TEST_CASE("Environment::Process reads files within its deadline: a FIFO nobody writes to ends") {
  testing::TempDir tmp;
  const std::string& dir = tmp.path;
  const std::string fifo = dir + "/config", plain = dir + "/credentials";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  REQUIRE(WriteNewFile(plain, "[default]\n", 0600).ok());
  testing::FakeClock clock;
  Environment env = Environment::Process(Deadline(clock.Monotonic()), clock);
  Result<std::optional<std::string>> stuck = env.ReadFile(fifo);  // used to wait for ever
  REQUIRE_FALSE(stuck.ok());
  CHECK(stuck.error().code() == ErrorCode::kTimeout);
  CHECK(stuck.error().ToString() == "nothing more to read from " + fifo + " before the deadline");
  // Regular files are read as before, even with the deadline passed; missing ones are none.
  CHECK(env.ReadFile(plain).value() == std::optional<std::string>("[default]\n"));
  CHECK(env.ReadFile(dir + "/missing").value() == std::nullopt);
}

}  // namespace
}  // namespace s3us::aws

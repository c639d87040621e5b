#include "aws/credential_providers.h"

#include <catch2/catch.hpp>

#include "aws/aws_config.h"
#include "aws/profile_provider.h"
#include "fakes/fake_clock.h"

namespace s3us::aws {
namespace {

using Vars = std::map<std::string, std::string>;
using std::chrono::seconds;

Clock::WallTime Unix(int64_t s) { return Clock::WallTime(seconds(s)); }

TEST_CASE("ParseAwsTimestamp clamps times WallTime cannot hold instead of overflowing") {
  // Found by fuzz/aws_config_fuzzer: a credential_process Expiration in 6040.
  CHECK(ParseAwsTimestamp("6040-01-01T00:00:00Z").value() ==
        ParseAwsTimestamp("2200-01-01T00:00:00Z").value());
  CHECK(ParseAwsTimestamp("9999-12-31T23:59:59.999Z").value() >
        ParseAwsTimestamp("2199-12-31T23:59:59Z").value());
  CHECK(ParseAwsTimestamp("0001-01-01T00:00:00Z").value() == Unix(0));
}

TEST_CASE("ParseAwsTimestamp reads the ISO 8601 forms AWS hands out") {
  CHECK(ParseAwsTimestamp("2021-09-21T04:16:53Z").value() == Unix(1632197813));
  CHECK(ParseAwsTimestamp("1970-01-01T00:00:00Z").value() == Unix(0));
  CHECK(ParseAwsTimestamp("2024-02-29T12:00:00.250Z").value() ==
        Unix(1709208000) + std::chrono::milliseconds(250));
  CHECK(ParseAwsTimestamp("2021-09-21T06:16:53+02:00").value() == Unix(1632197813));
  CHECK(ParseAwsTimestamp("2021-09-21T03:46:53-00:30").value() == Unix(1632197813));
  for (const char* bad : {"", "2021-09-21", "2021-09-21T04:16:53", "2021-13-01T00:00:00Z",
                          "2021-02-30T00:00:00Z", "2021-09-21T24:00:00Z", "2021-09-21T04:16:53.Z",
                          "2021-09-21 04:16:53Z", "1632197813", "2021-09-21T04:16:53+0200"}) {
    INFO(bad);
    Result<Clock::WallTime> t = ParseAwsTimestamp(bad);
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().code() == ErrorCode::kInvalidInput);
  }
}

TEST_CASE("EnvironmentCredentialProvider reads keys, token and expiration") {
  EnvironmentCredentialProvider p(
      Environment::Fake({{"AWS_ACCESS_KEY_ID", "AKIDENV"},
                         {"AWS_SECRET_ACCESS_KEY", "envsecret"},
                         {"AWS_SESSION_TOKEN", "envtoken"},
                         {"AWS_SECURITY_TOKEN", "legacy"},
                         {"AWS_CREDENTIAL_EXPIRATION", "2021-09-21T04:16:53Z"}}));
  Result<Credentials> c = p.Get();
  REQUIRE(c.ok());
  CHECK(c->access_key_id == "AKIDENV");
  CHECK(c->secret_access_key.reveal() == "envsecret");
  CHECK(c->session_token.reveal() == "envtoken");
  CHECK(c->expiration == Unix(1632197813));
  CHECK(c->provider == "environment");
  CHECK(p.Name() == "environment");
}

TEST_CASE("EnvironmentCredentialProvider falls back to AWS_SECURITY_TOKEN") {
  EnvironmentCredentialProvider p(Environment::Fake({{"AWS_ACCESS_KEY_ID", "A"},
                                                     {"AWS_SECRET_ACCESS_KEY", "s"},
                                                     {"AWS_SECURITY_TOKEN", "t"},
                                                     {"AWS_SESSION_TOKEN", " "}}));
  Result<Credentials> c = p.Get();
  REQUIRE(c.ok());
  CHECK(c->session_token.reveal() == "t");
  CHECK_FALSE(c->expiration.has_value());
}

TEST_CASE("EnvironmentCredentialProvider treats blank values as unset and rejects half a pair") {
  struct Case {
    Vars vars;
    ErrorCode code;
    std::string message;
  };
  const Case cases[] = {
      {{}, ErrorCode::kNoCredentials, "AWS_ACCESS_KEY_ID is not set"},
      {{{"AWS_ACCESS_KEY_ID", " "}, {"AWS_SECRET_ACCESS_KEY", "\t"}},
       ErrorCode::kNoCredentials,
       "AWS_ACCESS_KEY_ID is not set"},
      {{{"AWS_ACCESS_KEY_ID", "A"}},
       ErrorCode::kInvalidInput,
       "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"},
      // A secret alone is no credentials, as botocore reads it: the chain goes on.
      {{{"AWS_ACCESS_KEY_ID", ""}, {"AWS_SECRET_ACCESS_KEY", "topsecret"}},
       ErrorCode::kNoCredentials,
       "AWS_ACCESS_KEY_ID is not set"},
      {{{"AWS_ACCESS_KEY_ID", "A"},
        {"AWS_SECRET_ACCESS_KEY", "topsecret"},
        {"AWS_CREDENTIAL_EXPIRATION", "soon"}},
       ErrorCode::kInvalidInput,
       "AWS_CREDENTIAL_EXPIRATION: invalid timestamp 'soon': expected YYYY-MM-DDTHH:MM:SSZ"},
  };
  for (const Case& c : cases) {
    EnvironmentCredentialProvider p(Environment::Fake(c.vars));
    Result<Credentials> got = p.Get();
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().code() == c.code);
    CHECK(got.error().ToString() == c.message);
  }
}

Result<AwsConfig> Config(const std::string& config, const std::string& credentials = "",
                         Vars vars = {}) {
  vars["HOME"] = "/h";
  return LoadAwsConfig(
      Environment::Fake(vars, {{"/h/.aws/config", config}, {"/h/.aws/credentials", credentials}}));
}

Result<Credentials> ProfileGet(const AwsConfig& config) {
  testing::FakeClock clock;
  return ProfileCredentialProvider(config, Environment::Fake({{"HOME", "/h"}}), clock).Get();
}

TEST_CASE("ProfileCredentialProvider reads static keys of the selected profile") {
  Result<AwsConfig> config =
      Config("[profile dev]\nregion = us-east-2\n",
             "[dev]\nAWS_Access_Key_Id = AKIDDEV\naws_secret_access_key = devsecret\n"
             "aws_session_token = devtoken\n",
             {{"AWS_PROFILE", "dev"}});
  REQUIRE(config.ok());
  testing::FakeClock clock;
  ProfileCredentialProvider p(*config, Environment::Fake({}), clock);
  Result<Credentials> c = p.Get();
  REQUIRE(c.ok());
  CHECK(c->access_key_id == "AKIDDEV");
  CHECK(c->secret_access_key.reveal() == "devsecret");
  CHECK(c->session_token.reveal() == "devtoken");
  CHECK_FALSE(c->expiration.has_value());
  CHECK(c->provider == "profile dev");
  CHECK(p.Name() == "profile 'dev'");
}

TEST_CASE("ProfileCredentialProvider explains profiles it cannot use, without values") {
  struct Case {
    std::string config;
    ErrorCode code;
    std::string message;
  };
  const Case cases[] = {
      {"", ErrorCode::kNoCredentials, "profile 'default' is not defined in any shared file"},
      {"[default]\nregion = us-east-1\n", ErrorCode::kNoCredentials,
       "profile 'default' (/h/.aws/config) has no credentials"},
      {"[default]\nsso_session = corp\nsso_account_id = 1\n", ErrorCode::kInvalidInput,
       "profile 'default' names sso_session 'corp', which no [sso-session] section defines"},
      {"[default]\nsso_account_id = 1\nsso_role_name = r\n", ErrorCode::kInvalidInput,
       "profile 'default' is set up for IAM Identity Center but lacks sso_start_url, sso_region"},
      {"[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = b\n"
       "aws_access_key_id = A\naws_secret_access_key = topsecret\n",
       ErrorCode::kInvalidInput, "source_profile 'b' is not defined in any shared file"},
      {"[default]\nrole_arn = arn:aws:iam::1:role/r\n", ErrorCode::kInvalidInput,
       "profile 'default' sets role_arn but neither source_profile nor credential_source"},
      {"[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = a\n[profile a]\n"
       "role_arn = arn:aws:iam::1:role/a\nsource_profile = default\n",
       ErrorCode::kInvalidInput,
       "profile 'default' has a source_profile cycle: default -> a -> default"},
      {"[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = default\n",
       ErrorCode::kInvalidInput, "has a source_profile cycle"},
      {"[default]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Environment\n"
       "mfa_serial = arn:aws:iam::1:mfa/me\n",
       ErrorCode::kUnsupported, "sets mfa_serial: an MFA code cannot be entered non-interactively"},
      {"[default]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Nowhere\n",
       ErrorCode::kInvalidInput, "has credential_source 'Nowhere'"},
      {"[default]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Environment\n"
       "source_profile = x\n",
       ErrorCode::kInvalidInput, "sets both source_profile and credential_source"},
      {"[default]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Environment\n"
       "duration_seconds = 60\n",
       ErrorCode::kInvalidInput, "has duration_seconds '60'"},
      {"[default]\nweb_identity_token_file = /t\n", ErrorCode::kInvalidInput,
       "names a web identity token file but neither AWS_ROLE_ARN nor profile 'default' role_arn"},
      {"[default]\nsso_start_url = https://x\n", ErrorCode::kNoCredentials, "has no credentials"},
      {"[default]\nsso_start_url = https://x\nsso_region = evil.com/x\nsso_account_id = 1\n"
       "sso_role_name = r\n",
       ErrorCode::kInvalidInput, "has sso_region 'evil.com/x'"},
      {"[default]\naws_secret_access_key = topsecret\n", ErrorCode::kInvalidInput,
       "has aws_secret_access_key but no aws_access_key_id"},
      {"[default]\naws_access_key_id = A\naws_secret_access_key =\n", ErrorCode::kInvalidInput,
       "has aws_access_key_id but no aws_secret_access_key"},
  };
  // 10,000 profiles each the source of the one before: refused, never a stack overflow.
  std::string chain;
  for (int i = 0; i < 10000; ++i) {
    chain += (i == 0 ? std::string("[default]\n") : "[profile p" + std::to_string(i) + "]\n") +
             "role_arn = arn:aws:iam::1:role/r\nsource_profile = p" + std::to_string(i + 1) + "\n";
  }
  std::vector<Case> all(std::begin(cases), std::end(cases));
  all.push_back({chain, ErrorCode::kInvalidInput,
                 "profile 'default' has a source_profile chain longer than 64 profiles"});
  for (const Case& c : all) {
    INFO(c.config.substr(0, 200));
    Result<AwsConfig> config = Config(c.config);
    REQUIRE(config.ok());
    Result<Credentials> got = ProfileGet(*config);
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().code() == c.code);
    CHECK_THAT(got.error().ToString(), Catch::Contains(c.message));
    CHECK_THAT(got.error().ToString(), !Catch::Contains("topsecret"));
  }
}

}  // namespace
}  // namespace s3us::aws

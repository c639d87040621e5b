// ImdsClient: the credentials document, user data and instance facts.
#include "aws/imds_client.h"

#include <catch2/catch.hpp>

#include "aws/aws_time.h"
#include "aws/imds_test_util.h"
#include "aws/regions.h"
#include "core/secret.h"

namespace s3us::aws {
namespace {

using imds_testing::ClientFixture;
using imds_testing::FakeClock;
using imds_testing::FakeImds;
using imds_testing::FakeTransport;
using imds_testing::Framed;
using imds_testing::HeaderOf;
using imds_testing::LogCapture;
using imds_testing::MakeResponse;

TEST_CASE("ImdsClient does not retry a 404 and maps it to kNotFound") {
  ClientFixture f;
  auto r = f.Client().Get("/latest/meta-data/nothing-here");
  REQUIRE(!r.ok());
  CHECK(r.error().code() == ErrorCode::kNotFound);
  CHECK(f.clock.sleeps().empty());
}

TEST_CASE("ImdsClient reports an instance without a role as kNoCredentials") {
  ClientFixture f;
  f.imds.Remove("/latest/meta-data/iam/security-credentials/");
  auto r = f.Client().GetRoleName();
  REQUIRE(!r.ok());
  CHECK(r.error().code() == ErrorCode::kNoCredentials);
  CHECK(r.error().message().starts_with("the instance has no IAM role (instance profile)"));
}

TEST_CASE("ImdsClient reads the role credentials document") {
  ClientFixture f;
  ImdsClient client = f.Client();
  CHECK(client.GetRoleName().value() == "web-role");
  auto creds = client.GetRoleCredentials("web-role");
  REQUIRE(creds.ok());
  CHECK(creds->access_key_id == "ASIAFAKEKEY000000001");
  CHECK(creds->secret_access_key.reveal() == FakeImds::kSecret);
  CHECK(creds->session_token.reveal() == FakeImds::kSessionToken);
  CHECK(creds->expiration == ParseIso8601("2015-08-30T18:16:00Z"));
  CHECK(creds->provider == "imds role web-role");
}

TEST_CASE("ImdsClient reads an Expiration in the forms botocore reads") {
  const std::string path = "/latest/meta-data/iam/security-credentials/web-role";
  struct Case {
    const char* expiration;
    const char* utc;
  } cases[] = {
      {"2015-08-30T18:16:00.000Z", "2015-08-30T18:16:00Z"},
      {"2015-08-30T20:16:00+02:00", "2015-08-30T18:16:00Z"},
      {"2015-08-30T18:16:00+00:00", "2015-08-30T18:16:00Z"},
      // An emulator's credentials that never expire: later than WallTime holds, so clamped.
      {"9999-12-31T23:59:59Z", "2200-01-01T00:00:00Z"},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.expiration) {
      ClientFixture f;
      f.imds.Set(path, 200, FakeImds::CredentialsJson(c.expiration));
      auto creds = f.Client().GetRoleCredentials("web-role");
      REQUIRE(creds.ok());
      CHECK(creds->expiration == ParseIso8601(c.utc));
    }
  }
}

TEST_CASE("ImdsClient rejects bad credential documents without echoing them") {
  const std::string path = "/latest/meta-data/iam/security-credentials/web-role";
  std::string full = FakeImds::CredentialsJson();
  auto without = [&](const std::string& field) {
    size_t at = full.find("\"" + field + "\"");
    size_t end = full.find('\n', at);
    bool comma = full[end - 1] == ',';
    return full.substr(0, at) + "\"X\" : 1" + (comma ? "," : "") + full.substr(end);
  };
  struct Case {
    const char* name;
    std::string body;
    ErrorCode code;
  } cases[] = {
      {"failure code",
       R"({"Code":"AssumeRoleUnauthorizedAccess","Message":"EC2 cannot assume the role"})",
       ErrorCode::kNoCredentials},
      {"no AccessKeyId", without("AccessKeyId"), ErrorCode::kInvalidInput},
      {"no SecretAccessKey", without("SecretAccessKey"), ErrorCode::kInvalidInput},
      {"no Token", without("Token"), ErrorCode::kInvalidInput},
      {"no Expiration", without("Expiration"), ErrorCode::kInvalidInput},
      {"bad Expiration", FakeImds::CredentialsJson("tomorrow"), ErrorCode::kInvalidInput},
      {"not JSON", std::string("{\"SecretAccessKey\":\"") + FakeImds::kSecret,
       ErrorCode::kInvalidInput},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.name) {
      ClientFixture f;
      f.imds.Set(path, 200, c.body);
      auto r = f.Client().GetRoleCredentials("web-role");
      REQUIRE(!r.ok());
      CHECK(r.error().code() == c.code);
      CHECK(r.error().ToString().find(FakeImds::kSecret) == std::string::npos);
      CHECK(r.error().ToString().find(FakeImds::kSessionToken) == std::string::npos);
    }
  }
}

// A failed answer's Code and Message are quoted; secrets the same document carries must
// still come out redacted (values no other test registers, so only this path can).
TEST_CASE("ImdsClient never quotes the secrets of a failed credentials answer") {
  const std::string secret = "imds-code-secret-9f3a1c77e2";
  const std::string token = "imds-code-token-41d8e6b02a";
  ClientFixture f;
  f.imds.Set("/latest/meta-data/iam/security-credentials/web-role", 200,
             R"({"Code":"Failed )" + secret + R"(","Message":"token )" + token +
                 R"(","AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":")" + secret +
                 R"(","Token":")" + token + R"("})");
  auto r = f.Client().GetRoleCredentials("web-role");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == ErrorCode::kNoCredentials);
  const std::string shown = RedactSecrets(r.error().ToString());
  CHECK(shown.find("IMDS could not provide credentials (Code Failed ") != std::string::npos);
  CHECK(shown.find(secret) == std::string::npos);
  CHECK(shown.find(token) == std::string::npos);
}

TEST_CASE("ImdsClient returns empty user data for an instance without any") {
  ClientFixture f;
  ImdsClient client = f.Client();
  CHECK(client.GetUserData().value() == "#!/bin/sh\necho hi\n");
  f.imds.Remove("/latest/user-data");
  auto r = client.GetUserData();
  REQUIRE(r.ok());
  CHECK(r->empty());
}

TEST_CASE("ImdsClient instance facts derive the region when placement/region is missing") {
  ClientFixture f;
  f.imds.Remove("/latest/meta-data/placement/region");
  CHECK(f.Client().FetchInstanceFacts().value().region == "eu-west-1");  // identity document
  f.imds.Remove("/latest/dynamic/instance-identity/document");
  f.imds.Set("/latest/meta-data/placement/availability-zone", 200, "us-west-2-lax-1a");
  Result<InstanceFacts> facts = f.Client().FetchInstanceFacts();
  REQUIRE(facts.ok());
  CHECK(facts->region == "us-west-2");
  CHECK(facts->account_id.empty());
}

TEST_CASE("ImdsClient fetches all instance facts with a single token") {
  ClientFixture f;
  auto facts = f.Client().FetchInstanceFacts();
  REQUIRE(facts.ok());
  CHECK(facts->role == "web-role");
  CHECK(facts->instance_id == "i-0123456789abcdef0");
  CHECK(facts->region == "eu-west-1");
  CHECK(facts->availability_zone == "eu-west-1b");
  CHECK(facts->account_id == "123456789012");
  CHECK(facts->instance_type == "m7g.large");
  CHECK(facts->domain == "amazonaws.com");
  CHECK(facts->partition == "aws");
  CHECK(f.imds.puts() == 1);
}

TEST_CASE("ImdsClient instance facts tolerate missing optional paths") {
  ClientFixture f;
  f.imds.Remove("/latest/meta-data/iam/security-credentials/");
  f.imds.Remove("/latest/meta-data/services/domain");
  f.imds.Remove("/latest/meta-data/services/partition");
  f.imds.Remove("/latest/meta-data/placement/region");
  f.imds.Set("/latest/dynamic/instance-identity/document", 200, "{}");
  f.imds.Set("/latest/meta-data/placement/availability-zone", 200, "cn-north-1a");
  auto facts = f.Client().FetchInstanceFacts();
  REQUIRE(facts.ok());
  CHECK(facts->role.empty());
  CHECK(facts->region == "cn-north-1");
  CHECK(facts->domain == "amazonaws.com.cn");
  CHECK(facts->partition == "aws-cn");
  CHECK(facts->account_id.empty());
}

TEST_CASE("ImdsClient reads the launch index as cloud-init's safe_int does") {
  ClientFixture f;
  f.imds.Set("/latest/meta-data/ami-launch-index", 200, "2");
  CHECK(f.Client().GetLaunchIndex().value() == 2);
  f.imds.Set("/latest/meta-data/ami-launch-index", 200, " 0\n");
  CHECK(f.Client().GetLaunchIndex().value() == 0);
  f.imds.Set("/latest/meta-data/ami-launch-index", 200, "two");
  CHECK_FALSE(f.Client().GetLaunchIndex().value().has_value());
  f.imds.Remove("/latest/meta-data/ami-launch-index");
  CHECK_FALSE(f.Client().GetLaunchIndex().value().has_value());
  f.imds.Set("/latest/meta-data/ami-launch-index", 403, "");
  Result<std::optional<int>> refused = f.Client().GetLaunchIndex();
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().ToString().rfind("reading the launch index: ", 0) == 0);
}

TEST_CASE("ImdsClient instance facts leave unwanted paths off the wire") {
  ClientFixture f;
  f.imds.Set("/latest/dynamic/instance-identity/document", 200,
             R"({"instanceId":"i-0123456789abcdef0","region":"cn-north-1"})");
  ImdsClient::FactsWanted wanted;
  wanted.instance_type = false;
  wanted.domain = false;
  auto facts = f.Client().FetchInstanceFacts(wanted);
  REQUIRE(facts.ok());
  CHECK(facts->role == "web-role");
  CHECK(facts->instance_type.empty());
  CHECK(facts->domain == "amazonaws.com.cn");  // derived from the region instead
  CHECK(facts->partition == "aws-cn");
  CHECK(f.imds.gets("/latest/meta-data/instance-type") == 0);
  CHECK(f.imds.gets("/latest/meta-data/services/domain") == 0);
  CHECK(f.imds.gets("/latest/meta-data/services/partition") == 0);
  // Wanted, the type is read on its own when the identity document lacks it.
  ClientFixture g;
  g.imds.Set("/latest/dynamic/instance-identity/document", 200,
             R"({"instanceId":"i-0123456789abcdef0","region":"eu-west-1"})");
  auto all = g.Client().FetchInstanceFacts();
  REQUIRE(all.ok());
  CHECK(all->instance_type == "m7g.large");
  CHECK(g.imds.gets("/latest/meta-data/instance-type") == 1);
  CHECK(g.imds.gets("/latest/meta-data/services/domain") == 1);
}

TEST_CASE("ImdsClient instance facts fail when IMDS answers an error") {
  ClientFixture f;
  f.imds.Set("/latest/dynamic/instance-identity/document", 403, "");
  auto facts = f.Client().FetchInstanceFacts();
  REQUIRE(!facts.ok());
  CHECK(facts.error().code() == ErrorCode::kImdsUnavailable);
  CHECK(facts.error().ToString().starts_with("reading instance metadata: "));
}

}  // namespace
}  // namespace s3us::aws

#include "aws/sts_client.h"

#include <catch2/catch.hpp>
#include <tuple>

#include "aws/sso_credentials.h"
#include "fakes/fake_clock.h"
#include "fakes/fake_transport.h"

namespace s3us::aws {
namespace {

AwsConfig ConfigFrom(std::map<std::string, std::string> vars, const std::string& config = "") {
  vars["HOME"] = "/h";
  vars["AWS_CONFIG_FILE"] = "/h/config";
  Result<AwsConfig> c = LoadAwsConfig(Environment::Fake(vars, {{"/h/config", config}}));
  REQUIRE(c.ok());
  return *c;
}

TEST_CASE("STS endpoints are regional by default, global only when asked or without a region") {
  struct Case {
    std::map<std::string, std::string> vars;
    std::string url, region;
  };
  const Case cases[] = {
      {{{"AWS_REGION", "eu-west-1"}}, "https://sts.eu-west-1.amazonaws.com", "eu-west-1"},
      {{{"AWS_REGION", "us-east-1"}}, "https://sts.us-east-1.amazonaws.com", "us-east-1"},
      {{{"AWS_REGION", "us-east-1"}, {"AWS_STS_REGIONAL_ENDPOINTS", "legacy"}},
       "https://sts.amazonaws.com",
       "us-east-1"},
      {{{"AWS_REGION", "eu-west-1"}, {"AWS_STS_REGIONAL_ENDPOINTS", "legacy"}},
       "https://sts.amazonaws.com",
       "us-east-1"},
      {{{"AWS_REGION", "af-south-1"}, {"AWS_STS_REGIONAL_ENDPOINTS", "legacy"}},
       "https://sts.af-south-1.amazonaws.com",
       "af-south-1"},
      {{{"AWS_REGION", "cn-north-1"}}, "https://sts.cn-north-1.amazonaws.com.cn", "cn-north-1"},
      {{{"AWS_REGION", "us-west-2"}, {"AWS_USE_FIPS_ENDPOINT", "true"}},
       "https://sts-fips.us-west-2.amazonaws.com",
       "us-west-2"},
      {{{"AWS_REGION", "us-west-2"}, {"AWS_USE_DUALSTACK_ENDPOINT", "true"}},
       "https://sts.us-west-2.api.aws",
       "us-west-2"},
      {{}, "https://sts.amazonaws.com", "us-east-1"},
      {{{"AWS_REGION", "eu-west-1"}, {"AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9/"}},
       "http://127.0.0.1:9",
       "eu-west-1"},
      {{{"AWS_REGION", "eu-west-1"}, {"AWS_ENDPOINT_URL", "http://[::1]:8"}},
       "http://[::1]:8",
       "eu-west-1"},
  };
  for (const Case& c : cases) {
    INFO(c.url);
    ServiceEndpoint e = StsEndpoint(ConfigFrom(c.vars));
    CHECK(e.url == c.url);
    CHECK(e.signing_region == c.region);
  }
}

TEST_CASE("STS and SSO endpoints come from the profile's services section") {
  std::string config =
      "[default]\nservices = emu\n[services emu]\nsts =\n  endpoint_url = http://sts.local:1\n"
      "sso =\n  endpoint_url = http://sso.local:2\ns3 =\n  endpoint_url = http://s3.local:3\n";
  AwsConfig c = ConfigFrom({{"AWS_REGION", "eu-west-1"}}, config);
  CHECK(StsEndpoint(c).url == "http://sts.local:1");
  CHECK(SsoPortalEndpoint(c, "eu-central-1").url == "http://sso.local:2");
  CHECK(c.s3_endpoint_url == "http://s3.local:3");
  AwsConfig env_wins = ConfigFrom({{"AWS_ENDPOINT_URL_SSO", "http://x:4"}}, config);
  CHECK(SsoPortalEndpoint(env_wins, "eu-central-1").url == "http://x:4");
  AwsConfig ignored = ConfigFrom({{"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"}}, config);
  CHECK(SsoPortalEndpoint(ignored, "eu-central-1").url ==
        "https://portal.sso.eu-central-1.amazonaws.com");
  Result<AwsConfig> bad = LoadAwsConfig(Environment::Fake(
      {{"AWS_STS_REGIONAL_ENDPOINTS", "sometimes"}, {"AWS_CONFIG_FILE", "/none"}}));
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.error().ToString(), Catch::Contains("expected regional or legacy"));
}

TEST_CASE("StsClient refuses credentials whose fields would break a header") {
  for (const auto& [field, key, token] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"AccessKeyId", "ASIA/../ X", "newtoken"},
           {"SessionToken", "ASIASTSCLIENT00001", "new token"}}) {
    testing::FakeTransport transport;
    testing::FakeClock clock;
    transport.Push(testing::MakeResponse(
        200, "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>" + key +
                 "</AccessKeyId><SecretAccessKey>new/secret</SecretAccessKey><SessionToken>" +
                 token +
                 "</SessionToken><Expiration>2015-08-30T13:16:00Z</Expiration></Credentials>"
                 "</AssumeRoleResult></AssumeRoleResponse>"));
    StsClient sts(transport, clock, {"https://sts.eu-west-1.amazonaws.com", "eu-west-1"}, {});
    Credentials source;
    source.access_key_id = "AKIDSOURCE00000000";
    source.secret_access_key = Secret("sourcesecret");
    Result<Credentials> got = sts.AssumeRole(source, {"arn:aws:iam::1:role/r", "s", "", 900});
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().code() == ErrorCode::kInvalidInput);
    CHECK_THAT(got.error().ToString(), Catch::Contains(": Credentials: " + field) &&
                                           !Catch::Contains(key) && !Catch::Contains(token));
  }
}

TEST_CASE("StsClient signs AssumeRole with the source credentials and reads the answer") {
  testing::FakeTransport transport;
  testing::FakeClock clock;
  transport.Push(testing::MakeResponse(
      200,
      "<AssumeRoleResponse><AssumeRoleResult><AssumedRoleUser><Arn>arn:aws:sts::1:assumed-role/"
      "r/s</Arn></AssumedRoleUser><Credentials><AccessKeyId>ASIANEW</AccessKeyId>"
      "<SecretAccessKey>new/secret</SecretAccessKey><SessionToken>newtoken</SessionToken>"
      "<Expiration>2015-08-30T13:16:00Z</Expiration></Credentials></AssumeRoleResult>"
      "</AssumeRoleResponse>"));
  StsClient sts(transport, clock, {"https://sts.eu-west-1.amazonaws.com", "eu-west-1"}, {});
  Credentials source;
  source.access_key_id = "AKIDSOURCE";
  source.secret_access_key = Secret("sourcesecret");
  AssumeRoleParams p{"arn:aws:iam::123456789012:role/r", "s", "ext id", 1800};
  Result<Credentials> got = sts.AssumeRole(source, p);
  REQUIRE(got.ok());
  CHECK(got->access_key_id == "ASIANEW");
  CHECK(got->session_token.reveal() == "newtoken");
  CHECK(got->provider == "arn:aws:sts::1:assumed-role/r/s");
  std::vector<net::Request> requests = transport.requests();
  REQUIRE(requests.size() == 1);
  const net::Request& r = requests[0];
  CHECK(r.method == "POST");
  CHECK(r.url == "https://sts.eu-west-1.amazonaws.com/");
  CHECK(r.body ==
        "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole"
        "%2Fr&RoleSessionName=s&ExternalId=ext%20id&DurationSeconds=1800");
  std::string auth;
  for (const auto& [name, value] : r.headers) {
    if (name == "Authorization") auth = value;
  }
  CHECK_THAT(auth,
             Catch::StartsWith("AWS4-HMAC-SHA256 Credential=AKIDSOURCE/20150830/eu-west-1/"
                               "sts/aws4_request, SignedHeaders=content-type;host;x-amz-date"));
}

TEST_CASE("StsClient reports STS errors by code and message, and web identity is unsigned") {
  testing::FakeTransport transport;
  testing::FakeClock clock;
  transport.Push(testing::MakeResponse(
      403,
      "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>Not "
      "authorized to perform sts:AssumeRoleWithWebIdentity</Message></Error></ErrorResponse>"));
  transport.Push(testing::MakeResponse(200, "<AssumeRoleWithWebIdentityResponse/>"));
  StsClient sts(transport, clock, {"http://127.0.0.1:9", "us-east-1"}, {});
  AssumeRoleParams p{"arn:aws:iam::123456789012:role/r", "s", "", std::nullopt};
  Result<Credentials> denied = sts.AssumeRoleWithWebIdentity(p, Secret("jwt-token"));
  REQUIRE_FALSE(denied.ok());
  CHECK(denied.error().code() == ErrorCode::kAccessDenied);
  CHECK(denied.error().aws_code() == "AccessDenied");
  CHECK(denied.error().ToString() ==
        "sts AssumeRoleWithWebIdentity for arn:aws:iam::123456789012:role/r at "
        "http://127.0.0.1:9: HTTP 403 AccessDenied: Not authorized to perform "
        "sts:AssumeRoleWithWebIdentity");
  std::vector<net::Request> requests = transport.requests();
  const net::Request& r = requests[0];
  CHECK_THAT(r.body, Catch::EndsWith("&WebIdentityToken=jwt-token"));
  for (const auto& [name, value] : r.headers) CHECK(name != "Authorization");
  Result<Credentials> empty = sts.AssumeRoleWithWebIdentity(p, Secret("jwt-token"));
  REQUIRE_FALSE(empty.ok());
  CHECK_THAT(empty.error().ToString(), Catch::Contains("no complete Credentials element"));
}

}  // namespace
}  // namespace s3us::aws

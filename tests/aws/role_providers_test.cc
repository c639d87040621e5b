#include "aws/role_providers.h"

#include <catch2/catch.hpp>
#include <memory>

#include "fakes/fake_clock.h"
#include "fakes/fake_transport.h"

namespace s3us::aws {
namespace {

using std::chrono::minutes;

// An STS answer for a web identity exchange, expiring at 13:16, an hour after FakeClock starts.
std::string StsAnswer(const std::string& key) {
  return "<AssumeRoleWithWebIdentityResponse><Credentials><AccessKeyId>" + key +
         "</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken>"
         "<Expiration>2015-08-30T13:16:00Z</Expiration></Credentials>"
         "</AssumeRoleWithWebIdentityResponse>";
}

TEST_CASE("WebIdentityProvider caches until 15 minutes before expiry, then re-reads the token") {
  testing::FakeClock clock;  // 2015-08-30T12:16:00Z: the answers expire an hour later
  testing::FakeTransport transport;
  auto token = std::make_shared<std::string>("token-one");
  Environment env([](std::string_view) { return std::nullopt; },
                  [token](const std::string& path) -> Result<std::optional<std::string>> {
                    if (path != "/var/run/token") return std::optional<std::string>();
                    return std::optional<std::string>(*token + "\n");
                  });
  transport.Push(testing::MakeResponse(200, StsAnswer("ASIAONE")));
  transport.Push(testing::MakeResponse(200, StsAnswer("ASIATWO")));
  auto sts = std::make_shared<StsClient>(transport, clock,
                                         ServiceEndpoint{"http://sts", "us-east-1"}, Deadline());
  WebIdentityProvider p(env, "/var/run/token", {"arn:aws:iam::1:role/r", "s", "", {}},
                        "AWS_WEB_IDENTITY_TOKEN_FILE", sts, clock);
  CHECK(p.Get()->access_key_id == "ASIAONE");
  clock.Advance(minutes(44));
  CHECK(p.Get()->access_key_id == "ASIAONE");
  CHECK(transport.request_count() == 1);
  *token = "token-two";
  clock.Advance(minutes(2));
  CHECK(p.Get()->access_key_id == "ASIATWO");
  std::vector<net::Request> requests = transport.requests();
  REQUIRE(requests.size() == 2);
  CHECK_THAT(requests[0].body, Catch::EndsWith("WebIdentityToken=token-one"));
  CHECK_THAT(requests[1].body, Catch::EndsWith("WebIdentityToken=token-two"));

  *token = "";
  Result<Credentials> empty = p.Get(/*force_refresh=*/true);
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().ToString() ==
        "web identity (AWS_WEB_IDENTITY_TOKEN_FILE): token file /var/run/token is empty");
}

TEST_CASE("AssumeRoleProvider treats a source without credentials as an error") {
  testing::FakeClock clock;
  testing::FakeTransport transport;
  class Empty : public CredentialProvider {
   public:
    Result<Credentials> Get(bool) override {
      return Error(ErrorCode::kNoCredentials, "AWS_ACCESS_KEY_ID is not set");
    }
    std::string Name() const override { return "environment"; }
  };
  auto sts = std::make_shared<StsClient>(transport, clock,
                                         ServiceEndpoint{"http://sts", "us-east-1"}, Deadline());
  AssumeRoleProvider p(std::make_shared<Empty>(), {"arn:aws:iam::1:role/r", "s", "", {}}, "top",
                       sts, clock);
  Result<Credentials> got = p.Get();
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().code() == ErrorCode::kInvalidInput);
  CHECK(got.error().ToString() ==
        "assume role (profile 'top'): source environment has no credentials: "
        "AWS_ACCESS_KEY_ID is not set");
  CHECK(transport.request_count() == 0);
}

}  // namespace
}  // namespace s3us::aws

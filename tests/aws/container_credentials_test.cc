#include "aws/container_credentials.h"

#include <catch2/catch.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "aws/credential_chain.h"
#include "core/secret.h"
#include "fakes/fake_clock.h"
#include "fakes/fake_transport.h"

namespace s3us::aws {
namespace {

using std::chrono::minutes;

// Expires at 13:16, an hour after FakeClock starts (2015-08-30T12:16:00Z).
std::string Answer(const std::string& key) {
  return R"({"RoleArn":"arn:aws:iam::1:role/task","AccessKeyId":")" + key +
         R"(","SecretAccessKey":"container-secret","Token":"container-token",)"
         R"("Expiration":"2015-08-30T13:16:00Z"})";
}

std::string HeaderOf(const net::Request& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

TEST_CASE("The ECS relative URI is a path on 169.254.170.2, and wins over the full URI") {
  Environment env = Environment::Fake({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/creds/abc"},
                                       {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "https://x/y"}});
  Result<std::optional<ContainerEndpoint>> ep = FindContainerEndpoint(env);
  REQUIRE(ep.ok());
  REQUIRE(ep->has_value());
  CHECK((*ep)->url == "http://169.254.170.2/v2/creds/abc");
  CHECK((*ep)->variable == "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  CHECK((*ep)->origin == "http://169.254.170.2");
  CHECK(FindContainerEndpoint(Environment::Fake({}))->has_value() == false);
  // A relative URI stays a path: it cannot turn the agent's address into user info.
  ep = FindContainerEndpoint(
      Environment::Fake({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "@evil.example/x"}}));
  REQUIRE(ep.ok());
  CHECK((*ep)->url == "http://169.254.170.2/@evil.example/x");
  CHECK(FindContainerEndpoint(Environment::Fake({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", " "}}))
            ->has_value() == false);
}

TEST_CASE("A full URI sends plain http only to loopback or the ECS and EKS endpoints") {
  for (const char* allowed :
       {"http://127.0.0.1:51679/creds", "http://127.1.2.3/x", "http://localhost/x",
        "http://[::1]:8080/x", "http://169.254.170.2/x", "http://169.254.170.23/v1/credentials",
        "http://[fd00:ec2::23]/v1/credentials", "https://creds.example.com/x",
        "HTTPS://10.0.0.1/x"}) {
    INFO(allowed);
    Result<std::optional<ContainerEndpoint>> ep =
        FindContainerEndpoint(Environment::Fake({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", allowed}}));
    REQUIRE(ep.ok());
    CHECK((*ep)->url == allowed);
  }
  for (const char* refused :
       {"http://10.0.0.1/x", "http://169.254.169.254/latest", "http://creds.example.com/x",
        "http://127.0.0.1.example.com/x", "http://[fd00:ec2::254]/x", "ftp://127.0.0.1/x",
        "127.0.0.1/creds", "http://user:pass@127.0.0.1/x", "http:///x", "http://[::1/x",
        "http://svc:pass/x@127.0.0.1/creds", "https://svc:pass/x@creds.example.com/x",
        "http://[::1]:pass/x", "http://127.0.0.1:/x", "http://127.0.0.1:1234567/x"}) {
    INFO(refused);
    Result<std::optional<ContainerEndpoint>> ep =
        FindContainerEndpoint(Environment::Fake({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", refused}}));
    REQUIRE_FALSE(ep.ok());
    CHECK(ep.error().code() == ErrorCode::kInvalidInput);
    // The message never repeats user info.
    CHECK(ep.error().ToString().find("pass") == std::string::npos);
  }
}

TEST_CASE("Container credentials are fetched with the token file's content, then cached") {
  testing::FakeClock clock;
  testing::FakeTransport transport;
  auto token = std::make_shared<std::string>("token-one\n");
  Environment env(
      [](std::string_view name) -> std::optional<std::string> {
        if (name == "AWS_CONTAINER_CREDENTIALS_FULL_URI")
          return "http://169.254.170.23/v1/credentials";
        if (name == "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") return "/var/run/eks/token";
        if (name == "AWS_CONTAINER_AUTHORIZATION_TOKEN") return "ignored-when-the-file-is-set";
        return std::nullopt;
      },
      [token](const std::string& path) -> Result<std::optional<std::string>> {
        if (path != "/var/run/eks/token") return std::optional<std::string>();
        return std::optional<std::string>(*token);
      });
  transport.Push(testing::MakeResponse(200, Answer("ASIAONE")));
  transport.Push(testing::MakeResponse(200, Answer("ASIATWO")));
  ContainerCredentialProvider p(env, &transport, clock, Deadline());
  Result<Credentials> got = p.Get();
  REQUIRE(got.ok());
  CHECK(got->access_key_id == "ASIAONE");
  CHECK(got->secret_access_key.reveal() == "container-secret");
  CHECK(got->session_token.reveal() == "container-token");
  CHECK(got->provider == "container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI)");
  std::vector<net::Request> sent = transport.requests();
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].url == "http://169.254.170.23/v1/credentials");
  CHECK(sent[0].method == "GET");
  CHECK(HeaderOf(sent[0], "Authorization") == "token-one");
  CHECK(HeaderOf(sent[0], "Accept") == "application/json");
  CHECK(sent[0].timeout == std::chrono::milliseconds(2000));
  // The token is a secret: it never reaches a message or a log line; nor does the path
  // (the retry layer's debug lines name the URL).
  CHECK(RedactSecrets("saw token-one") == "saw <redacted>");
  CHECK(RedactSecrets("GET http://169.254.170.23/v1/credentials: attempt 2") ==
        "GET http://169.254.170.23<redacted>: attempt 2");

  clock.Advance(minutes(44));
  CHECK(p.Get()->access_key_id == "ASIAONE");
  CHECK(transport.request_count() == 1);
  *token = "token-two";  // EKS rotates the file: read again on the refresh
  clock.Advance(minutes(2));
  CHECK(p.Get()->access_key_id == "ASIATWO");
  REQUIRE(transport.request_count() == 2);
  CHECK(HeaderOf(transport.requests()[1], "Authorization") == "token-two");
}

TEST_CASE("Container credential failures name the variable and endpoint, never the secrets") {
  testing::FakeClock clock;
  auto fetch = [&](std::map<std::string, std::string> vars,
                   std::map<std::string, std::string> files,
                   Result<net::Response> answer) -> Result<Credentials> {
    testing::FakeTransport transport;
    transport.Push(std::move(answer));
    ContainerCredentialProvider p(Environment::Fake(std::move(vars), std::move(files)), &transport,
                                  clock, Deadline());
    return p.Get();
  };
  const std::map<std::string, std::string> ecs = {
      {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/secret-path-id"}};

  SECTION("not configured: the chain goes on") {
    Result<Credentials> got = fetch({}, {}, testing::MakeResponse(200, Answer("A")));
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().code() == ErrorCode::kNoCredentials);
  }
  SECTION("an HTTP error") {
    Result<Credentials> got = fetch(ecs, {}, testing::MakeResponse(500, "{}"));
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().code() == ErrorCode::kHttp);
    CHECK(got.error().ToString() ==
          "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI at http://169.254.170.2: HTTP 500");
  }
  SECTION("an answer without a token or expiration") {
    Result<Credentials> got =
        fetch(ecs, {},
              testing::MakeResponse(200, R"({"AccessKeyId":"A","SecretAccessKey":"not-printed"})"));
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().code() == ErrorCode::kInvalidInput);
    CHECK(got.error().ToString().find("not-printed") == std::string::npos);
    CHECK(got.error().ToString().find("secret-path-id") == std::string::npos);
  }
  SECTION("a missing token file") {
    Result<Credentials> got =
        fetch({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials"},
               {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/token.jwt"}},
              {}, testing::MakeResponse(200, Answer("A")));
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().code() == ErrorCode::kInvalidInput);
    CHECK_THAT(got.error().ToString(),
               Catch::Contains("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE /token.jwt does not exist"));
  }
  SECTION("credential fields that would break a header") {
    for (const auto& [field, value] : std::vector<std::pair<std::string, std::string>>{
             {"AccessKeyId", "ASIA/../ X\\u0001"}, {"Token", "tok\\r\\nX-Evil: 1"}}) {
      nlohmann::json doc = nlohmann::json::parse(Answer("ASIACONTAINER0000001"));
      doc[field] = nlohmann::json::parse("\"" + value + "\"");
      Result<Credentials> got = fetch(ecs, {}, testing::MakeResponse(200, doc.dump()));
      REQUIRE_FALSE(got.ok());
      CHECK(got.error().code() == ErrorCode::kInvalidInput);
      CHECK_THAT(got.error().ToString(),
                 Catch::StartsWith("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") &&
                     Catch::Contains(field) && !Catch::Contains("X-Evil") &&
                     !Catch::Contains("ASIA/"));
    }
  }
  SECTION("a token that would inject a header") {
    Result<Credentials> got = fetch({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/x"},
                                     {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "abc\r\nX-Evil: 1"}},
                                    {}, testing::MakeResponse(200, Answer("A")));
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().code() == ErrorCode::kInvalidInput);
    CHECK_THAT(got.error().ToString(), Catch::Contains("line break"));
  }
  SECTION("no network access") {
    ContainerCredentialProvider p(Environment::Fake(ecs), nullptr, clock, Deadline());
    Result<Credentials> got = p.Get();
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().code() == ErrorCode::kUnsupported);
  }
}

TEST_CASE("The default chain asks the container endpoint after the profile, before IMDS") {
  testing::FakeClock clock;
  testing::FakeTransport transport;
  transport.Push(testing::MakeResponse(200, Answer("ASIACONTAINER")));
  Environment env = Environment::Fake({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/x"},
                                       {"AWS_CONFIG_FILE", "/none"},
                                       {"AWS_SHARED_CREDENTIALS_FILE", "/none"}});
  Result<AwsConfig> config = LoadAwsConfig(env);
  REQUIRE(config.ok());
  std::unique_ptr<CredentialChain> chain =
      MakeDefaultCredentialChain(*config, env, nullptr, clock, &transport);
  Result<Credentials> got = chain->Get();
  REQUIRE(got.ok());
  CHECK(got->access_key_id == "ASIACONTAINER");

  // Keys in the environment still come first.
  testing::FakeTransport unused;
  Environment with_keys = Environment::Fake({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/x"},
                                             {"AWS_ACCESS_KEY_ID", "AKIAENV"},
                                             {"AWS_SECRET_ACCESS_KEY", "s"}});
  Result<AwsConfig> config2 = LoadAwsConfig(with_keys);
  REQUIRE(config2.ok());
  got = MakeDefaultCredentialChain(*config2, with_keys, nullptr, clock, &unused)->Get();
  REQUIRE(got.ok());
  CHECK(got->access_key_id == "AKIAENV");
  CHECK(unused.request_count() == 0);
}

}  // namespace
}  // namespace s3us::aws

#include "aws/imds_client.h"

#include <catch2/catch.hpp>

#include "aws/aws_time.h"
#include "aws/fake_imds.h"
#include "aws/regions.h"
#include "core/log.h"
#include "core/secret.h"
#include "core/strings.h"
#include "fakes/fake_clock.h"
#include "fakes/fake_transport.h"

namespace s3us::aws {
namespace {

using testing::FakeClock;
using testing::FakeImds;
using testing::FakeTransport;
using testing::MakeResponse;

// A 200 as IMDS sends it, with its Content-Length.
net::Response Framed(std::string body) {
  std::string length = std::to_string(body.size());
  return MakeResponse(200, std::move(body), {{"content-length", length}});
}

struct ClientFixture {
  FakeTransport transport;
  FakeClock clock;
  FakeImds imds{transport};
  ImdsOptions options;
  ImdsClient Client() { return ImdsClient("http://169.254.169.254", transport, clock, options); }
};

// Collects warning lines while alive.
struct LogCapture {
  std::vector<std::string> lines;
  std::mutex mu;
  LogCapture() {
    SetLogSink([this](LogLevel, std::string_view line) {
      std::lock_guard<std::mutex> l(mu);
      lines.emplace_back(line);
    });
  }
  ~LogCapture() { SetLogSink(nullptr); }
};

std::string HeaderOf(const net::Request& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (IEquals(k, name)) return v;
  }
  return {};
}

TEST_CASE("ImdsClient takes one token and reuses it for later requests") {
  ClientFixture f;
  ImdsClient client = f.Client();
  CHECK(client.Get("/latest/meta-data/instance-id").value() == "i-0123456789abcdef0");
  CHECK(client.Get("/latest/meta-data/placement/availability-zone").value() == "eu-west-1b");
  CHECK(client.Get("/latest/meta-data/instance-type").value() == "m7g.large");
  CHECK(f.imds.puts() == 1);
  auto requests = f.transport.requests();
  REQUIRE(requests.size() == 4);
  CHECK(requests[0].method == "PUT");
  CHECK(requests[0].url == "http://169.254.169.254/latest/api/token");
  CHECK(HeaderOf(requests[0], "x-aws-ec2-metadata-token-ttl-seconds") == "21600");
  CHECK(HeaderOf(requests[1], "x-aws-ec2-metadata-token") ==
        HeaderOf(requests[3], "x-aws-ec2-metadata-token"));
  CHECK(requests[1].timeout == std::chrono::milliseconds(2000));
}

TEST_CASE("ImdsClient renews its token shortly before the TTL runs out") {
  ClientFixture f;
  f.options.token_ttl = std::chrono::seconds(600);
  ImdsClient client = f.Client();
  REQUIRE(client.Get("/latest/meta-data/instance-id").ok());
  f.clock.Advance(std::chrono::seconds(400));
  REQUIRE(client.Get("/latest/meta-data/instance-id").ok());
  CHECK(f.imds.puts() == 1);
  f.clock.Advance(std::chrono::seconds(150));  // 550 s: inside the last minute
  REQUIRE(client.Get("/latest/meta-data/instance-id").ok());
  CHECK(f.imds.puts() == 2);
}

TEST_CASE("ImdsClient takes one new token after a 401 and retries the request") {
  ClientFixture f;
  ImdsClient client = f.Client();
  REQUIRE(client.Get("/latest/meta-data/instance-id").ok());
  f.imds.ExpireTokens();
  CHECK(client.Get("/latest/meta-data/instance-id").value() == "i-0123456789abcdef0");
  CHECK(f.imds.puts() == 2);
  CHECK(f.imds.gets("/latest/meta-data/instance-id") == 3);
}

TEST_CASE("ImdsClient gives up when a fresh token is rejected too") {
  FakeTransport transport;
  FakeClock clock;
  transport.SetHandler([](const net::Request& r) {
    if (r.method == "PUT") return Result<net::Response>(Framed("tok-abcdefgh12345"));
    return Result<net::Response>(MakeResponse(401, ""));
  });
  ImdsClient client("http://169.254.169.254", transport, clock);
  auto r = client.Get("/latest/meta-data/instance-id");
  REQUIRE(!r.ok());
  CHECK(r.error().code() == ErrorCode::kImdsUnavailable);
  CHECK(r.error().message() ==
        "IMDS at http://169.254.169.254 rejected a fresh token for "
        "GET /latest/meta-data/instance-id (HTTP 401)");
  CHECK(transport.request_count() == 4);
  CHECK(r.error().ToString().find("tok-abcdefgh12345") == std::string::npos);
}

TEST_CASE("ImdsClient refuses IMDSv1 unless it is explicitly allowed") {
  for (int status : {403, 404, 405}) {
    DYNAMIC_SECTION("token PUT answered " << status) {
      ClientFixture f;
      f.imds.set_put_status(status);
      f.imds.set_v1_allowed(true);
      ImdsClient client = f.Client();
      auto r = client.Get("/latest/meta-data/instance-id");
      REQUIRE(!r.ok());
      CHECK(r.error().code() == ErrorCode::kImdsUnavailable);
      CHECK(r.error().message().starts_with(
          "IMDSv2 token refused by IMDS at http://169.254.169.254 (HTTP " + std::to_string(status) +
          "): IMDS is disabled or IMDSv2 is not allowed"));
      CHECK(r.error().message().ends_with("--allow-imdsv1 allows it)"));
      CHECK(f.imds.gets("/latest/meta-data/instance-id") == 0);
    }
  }
}

TEST_CASE("ImdsClient falls back to IMDSv1 with a warning when allowed") {
  ClientFixture f;
  f.imds.set_put_status(403);
  f.imds.set_v1_allowed(true);
  f.options.allow_imdsv1 = true;
  ImdsClient client = f.Client();
  LogCapture log;
  CHECK(client.Get("/latest/meta-data/instance-id").value() == "i-0123456789abcdef0");
  CHECK(client.Get("/latest/meta-data/placement/region").value() == "eu-west-1");
  CHECK(f.imds.puts() == 1);
  auto requests = f.transport.requests();
  CHECK(HeaderOf(requests.back(), "x-aws-ec2-metadata-token").empty());
  REQUIRE(log.lines.size() == 1);
  CHECK(log.lines[0].find("warning: IMDSv2 token refused (HTTP 403)") != std::string::npos);
}

TEST_CASE("ImdsClient reports a rejected token request (HTTP 400)") {
  ClientFixture f;
  f.imds.set_put_status(400);
  auto r = f.Client().Get("/latest/meta-data/instance-id");
  REQUIRE(!r.ok());
  CHECK(r.error().code() == ErrorCode::kImdsUnavailable);
  CHECK(r.error().http_status() == 400);
  CHECK(r.error().message().starts_with(
      "IMDS at http://169.254.169.254 rejected the token request (HTTP 400)"));
}

// With IPv6 endpoint mode or AWS_EC2_METADATA_SERVICE_ENDPOINT, which IMDS refused matters.
TEST_CASE("ImdsClient names its endpoint when IMDS refuses a request") {
  ClientFixture f;
  f.imds.Set("/latest/meta-data/instance-type", 403, "");
  f.imds.Set("/latest/meta-data/ami-id", 418, "");
  ImdsClient client = f.Client();
  auto refused = client.Get("/latest/meta-data/instance-type");
  REQUIRE(!refused.ok());
  CHECK(refused.error().message() ==
        "IMDS at http://169.254.169.254 refused GET /latest/meta-data/instance-type "
        "(HTTP 403): instance metadata access is off");
  auto odd = client.Get("/latest/meta-data/ami-id");
  REQUIRE(!odd.ok());
  CHECK(odd.error().message() ==
        "IMDS at http://169.254.169.254 answered GET /latest/meta-data/ami-id with HTTP 418");
}

TEST_CASE("ImdsClient waits for IMDS at boot until it answers") {
  FakeTransport transport;
  FakeClock clock;
  for (int i = 0; i < 5; ++i) {
    transport.Push(Error(ErrorCode::kTransport, "connection refused").set_retryable(true));
  }
  transport.Push(MakeResponse(503, ""));
  transport.Push(Framed("tok-abcdefgh12345"));
  transport.Push(MakeResponse(500, ""));
  transport.Push(Framed("i-0abc"));
  ImdsClient client("http://169.254.169.254", transport, clock);
  auto start = clock.Monotonic();
  CHECK(client.Get("/latest/meta-data/instance-id").value() == "i-0abc");
  auto sleeps = clock.sleeps();
  REQUIRE(sleeps.size() == 7);
  CHECK(sleeps[0] == std::chrono::milliseconds(100));
  CHECK(sleeps[1] == std::chrono::milliseconds(200));
  CHECK(sleeps[4] == std::chrono::milliseconds(1600));
  CHECK(sleeps[5] <= std::chrono::milliseconds(16000));  // after the 503: 500 ms · 2^5, jittered
  CHECK(sleeps[6] == std::chrono::milliseconds(100));    // the GET's own first retry
  CHECK(clock.Monotonic() - start < std::chrono::seconds(60));
}

TEST_CASE("ImdsClient stops waiting for IMDS at the deadline") {
  FakeTransport transport;
  FakeClock clock;
  transport.SetHandler([](const net::Request&) -> Result<net::Response> {
    return Error(ErrorCode::kTransport, "connection refused").set_retryable(true);
  });
  ImdsOptions options;
  options.wait_for_imds = std::chrono::seconds(30);
  ImdsClient client("http://169.254.169.254", transport, clock, options);
  auto start = clock.Monotonic();
  auto r = client.GetUserData();
  REQUIRE(!r.ok());
  CHECK(r.error().code() == ErrorCode::kImdsUnavailable);
  CHECK(r.error().message().find("did not answer the token request within 30 s") !=
        std::string::npos);
  CHECK(clock.Monotonic() - start == std::chrono::seconds(30));
  for (const auto& req : transport.requests()) CHECK(req.deadline.is_set());
}

TEST_CASE("ImdsClient names a wait that is not whole seconds as it is") {
  FakeTransport transport;
  FakeClock clock;
  transport.SetHandler([](const net::Request&) -> Result<net::Response> {
    return Error(ErrorCode::kTransport, "connection refused").set_retryable(true);
  });
  ImdsOptions options;
  options.wait_for_imds = std::chrono::milliseconds(1500);
  ImdsClient client("http://169.254.169.254", transport, clock, options);
  auto r = client.GetUserData();
  REQUIRE(!r.ok());
  CHECK(r.error().message().find("did not answer the token request within 1.5 s") !=
        std::string::npos);
}

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

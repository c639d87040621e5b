// ImdsClient: tokens, IMDSv1 fallback, waiting for IMDS at boot.
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

TEST_CASE("ImdsClient reports why IMDS failed to a later call already past its deadline") {
  // `run` read the user data, then the instance's facts: the second call began after the
  // deadline and its line said only "request to ...: deadline already passed".
  FakeTransport transport;
  FakeClock clock;
  transport.SetHandler([&clock](const net::Request& r) -> Result<net::Response> {
    if (r.deadline.Expired(clock)) {
      return Error(ErrorCode::kTimeout, "request to 169.254.169.254:80: deadline already passed");
    }
    return Error(ErrorCode::kTransport, "connection refused").set_retryable(true);
  });
  ImdsOptions options;
  options.wait_for_imds = std::chrono::seconds(30);
  options.deadline = Deadline::After(clock, std::chrono::seconds(30));
  ImdsClient client("http://169.254.169.254", transport, clock, options);
  auto first = client.GetUserData();
  REQUIRE_FALSE(first.ok());
  size_t sent = transport.request_count();
  auto later = client.GetUserData();
  REQUIRE_FALSE(later.ok());
  CHECK(later.error().ToString() == first.error().ToString());
  CHECK(later.error().ToString().find("connection refused") != std::string::npos);
  CHECK(transport.request_count() == sent);
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

}  // namespace
}  // namespace s3us::aws

#include "aws/imds_credentials.h"

#include <catch2/catch.hpp>

#include "aws/aws_time.h"
#include "aws/fake_imds.h"
#include "core/log.h"
#include "fakes/fake_clock.h"
#include "fakes/fake_transport.h"

namespace s3us::aws {
namespace {

using testing::FakeClock;
using testing::FakeImds;
using testing::FakeTransport;

constexpr char kCredsPath[] = "/latest/meta-data/iam/security-credentials/web-role";

// The fake clock starts at 2015-08-30T12:16:00Z; FakeImds credentials expire at 18:16:00Z.
struct CredentialsFixture {
  FakeTransport transport;
  FakeClock clock;
  FakeImds imds{transport};
  ImdsClient client{"http://169.254.169.254", transport, clock};
  ImdsCredentialProvider provider{client, clock};
};

TEST_CASE("ImdsCredentialProvider caches credentials until the refresh window") {
  CredentialsFixture f;
  auto first = f.provider.Get();
  REQUIRE(first.ok());
  CHECK(first->access_key_id == "ASIAFAKEKEY000000001");
  CHECK(f.provider.Get().ok());
  f.clock.Advance(std::chrono::hours(5) + std::chrono::minutes(44));  // 17:60 - 16 min
  CHECK(f.provider.Get().ok());
  CHECK(f.imds.gets(kCredsPath) == 1);

  f.imds.Set(kCredsPath, 200,
             FakeImds::CredentialsJson("2015-08-30T23:00:00Z", "ASIAFAKEKEY000000002"));
  f.clock.Advance(std::chrono::minutes(2));  // 14 min before expiry
  auto refreshed = f.provider.Get();
  REQUIRE(refreshed.ok());
  CHECK(refreshed->access_key_id == "ASIAFAKEKEY000000002");
  CHECK(f.imds.gets(kCredsPath) == 2);
}

TEST_CASE("ImdsCredentialProvider keeps valid credentials when a refresh fails") {
  CredentialsFixture f;
  REQUIRE(f.provider.Get().ok());
  f.clock.Advance(std::chrono::hours(5) + std::chrono::minutes(50));  // 10 min left
  f.imds.Set(kCredsPath, 500, "");
  std::vector<std::string> warnings;
  SetLogSink([&](LogLevel, std::string_view line) { warnings.emplace_back(line); });
  auto kept = f.provider.Get();
  SetLogSink(nullptr);
  REQUIRE(kept.ok());
  CHECK(kept->access_key_id == "ASIAFAKEKEY000000001");
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].find("using the current ones, valid until 2015-08-30T18:16:00Z") !=
        std::string::npos);

  // The next call inside retry_after does not ask IMDS again.
  int asked = f.imds.gets(kCredsPath);
  CHECK(f.provider.Get().ok());
  CHECK(f.imds.gets(kCredsPath) == asked);
}

TEST_CASE("ImdsCredentialProvider fails once the kept credentials have expired") {
  CredentialsFixture f;
  REQUIRE(f.provider.Get().ok());
  f.imds.Set(kCredsPath, 404, "");
  f.clock.Advance(std::chrono::hours(7));
  auto r = f.provider.Get();
  REQUIRE(!r.ok());
  CHECK(r.error().code() == ErrorCode::kNoCredentials);
  CHECK(r.error().ToString().starts_with("getting instance role credentials: "));
}

TEST_CASE("ImdsCredentialProvider refetches on a forced refresh") {
  CredentialsFixture f;
  REQUIRE(f.provider.Get().ok());
  f.imds.Set(kCredsPath, 200,
             FakeImds::CredentialsJson("2015-08-30T23:00:00Z", "ASIAFAKEKEY000000002"));
  auto r = f.provider.Get(/*force_refresh=*/true);
  REQUIRE(r.ok());
  CHECK(r->access_key_id == "ASIAFAKEKEY000000002");
  CHECK(f.imds.gets(kCredsPath) == 2);

  // A failed forced refresh is an error even with valid credentials in hand: S3 refused them.
  f.imds.Set(kCredsPath, 200, R"({"Code":"Failure"})");
  auto failed = f.provider.Get(true);
  REQUIRE(!failed.ok());
  CHECK(failed.error().code() == ErrorCode::kNoCredentials);
}

TEST_CASE("ImdsCredentialProvider reports an instance without a role") {
  CredentialsFixture f;
  f.imds.Remove("/latest/meta-data/iam/security-credentials/");
  auto r = f.provider.Get();
  REQUIRE(!r.ok());
  CHECK(r.error().code() == ErrorCode::kNoCredentials);
  CHECK(r.error().message().starts_with("the instance has no IAM role"));
}

}  // namespace
}  // namespace s3us::aws

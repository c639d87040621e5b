#include "aws/credential_chain.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "aws/credential_providers.h"
#include "aws/test_data.h"
#include "core/log.h"
#include "fakes/fake_clock.h"

namespace s3us::aws {
namespace {

using nlohmann::json;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
namespace fs = std::filesystem;

// A provider answering from a script, counting calls and remembering force_refresh.
class ScriptedProvider : public CredentialProvider {
 public:
  explicit ScriptedProvider(std::string name) : name_(std::move(name)) {}
  void Answer(Result<Credentials> r) {
    std::lock_guard<std::mutex> l(mu_);
    answer_ = std::move(r);
  }
  Result<Credentials> Get(bool force_refresh) override {
    std::lock_guard<std::mutex> l(mu_);
    ++calls_;
    if (force_refresh) ++forced_;
    return answer_;
  }
  std::string Name() const override { return name_; }
  int calls() {
    std::lock_guard<std::mutex> l(mu_);
    return calls_;
  }
  int forced() {
    std::lock_guard<std::mutex> l(mu_);
    return forced_;
  }

 private:
  std::mutex mu_;
  std::string name_;
  Result<Credentials> answer_ = Error(ErrorCode::kNoCredentials, "nothing configured");
  int calls_ = 0;
  int forced_ = 0;
};

// Captures log lines for the life of the object.
class LogCapture {
 public:
  LogCapture() {
    SetLogSink([this](LogLevel, std::string_view line) {
      std::lock_guard<std::mutex> l(mu_);
      lines_.emplace_back(line);
    });
  }
  ~LogCapture() { SetLogSink(nullptr); }
  std::vector<std::string> lines() {
    std::lock_guard<std::mutex> l(mu_);
    return lines_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> lines_;
};

Credentials Creds(std::string id, std::optional<Clock::WallTime> exp = {}) {
  Credentials c;
  c.access_key_id = std::move(id);
  c.secret_access_key = Secret("chain-test-secret");
  c.expiration = exp;
  return c;
}

TEST_CASE("CredentialChain skips sources without credentials and caches the first answer") {
  testing::FakeClock clock;
  auto a = std::make_shared<ScriptedProvider>("a");
  auto b = std::make_shared<ScriptedProvider>("b");
  auto c = std::make_shared<ScriptedProvider>("c");
  b->Answer(Creds("FROM_B"));
  c->Answer(Creds("FROM_C"));
  CredentialChain chain({a, b, c}, clock);
  for (int i = 0; i < 3; ++i) {
    Result<Credentials> got = chain.Get();
    REQUIRE(got.ok());
    CHECK(got->access_key_id == "FROM_B");
  }
  CHECK(a->calls() == 1);
  CHECK(b->calls() == 1);
  CHECK(c->calls() == 0);
}

TEST_CASE("CredentialChain stops at a source that fails for another reason than none") {
  testing::FakeClock clock;
  auto a = std::make_shared<ScriptedProvider>("profile 'x'");
  auto b = std::make_shared<ScriptedProvider>("b");
  a->Answer(Error(ErrorCode::kUnsupported, "profile 'x' uses sso_session"));
  b->Answer(Creds("FROM_B"));
  CredentialChain chain({a, b}, clock);
  Result<Credentials> got = chain.Get();
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().code() == ErrorCode::kNoCredentials);
  CHECK(got.error().ToString() ==
        "could not get credentials from profile 'x': profile 'x' uses sso_session");
  CHECK(b->calls() == 0);
}

TEST_CASE("CredentialChain says why every source had nothing") {
  testing::FakeClock clock;
  auto a = std::make_shared<ScriptedProvider>("environment");
  CredentialChain chain({a}, clock);
  chain.AddSkippedSource("instance role (IMDS): AWS_EC2_METADATA_DISABLED is true");
  Result<Credentials> got = chain.Get();
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().code() == ErrorCode::kNoCredentials);
  CHECK(got.error().ToString() ==
        "no credentials found (environment: nothing configured; instance role (IMDS): "
        "AWS_EC2_METADATA_DISABLED is true)");
}

TEST_CASE("CredentialChain refreshes 15 minutes before expiration, forcing the provider") {
  testing::FakeClock clock;
  auto imds = std::make_shared<ScriptedProvider>("imds");
  imds->Answer(Creds("FIRST", clock.Now() + minutes(60)));
  CredentialChain chain({imds}, clock);
  REQUIRE(chain.Get()->access_key_id == "FIRST");
  clock.Advance(minutes(44));
  imds->Answer(Creds("SECOND", clock.Now() + minutes(60)));
  CHECK(chain.Get()->access_key_id == "FIRST");
  CHECK(imds->calls() == 1);
  clock.Advance(minutes(1) + seconds(1));
  CHECK(chain.Get()->access_key_id == "SECOND");
  CHECK(imds->calls() == 2);
  CHECK(imds->forced() == 1);
}

TEST_CASE("CredentialChain Get(true) fetches anew even when the cache is fresh") {
  testing::FakeClock clock;
  auto env = std::make_shared<ScriptedProvider>("environment");
  env->Answer(Creds("STATIC"));
  CredentialChain chain({env}, clock);
  REQUIRE(chain.Get().ok());
  env->Answer(Creds("ROTATED"));
  CHECK(chain.Get()->access_key_id == "STATIC");
  CHECK(chain.Get(true)->access_key_id == "ROTATED");
  CHECK(env->forced() == 1);
}

TEST_CASE("CredentialChain serves a burst of forced refreshes with one fetch") {
  testing::FakeClock clock;
  auto imds = std::make_shared<ScriptedProvider>("imds");
  imds->Answer(Creds("OLD"));
  CredentialChain chain({imds}, clock);
  REQUIRE(chain.Get().ok());
  imds->Answer(Creds("NEW"));
  // Every request in flight saw ExpiredToken and asks at once.
  for (int i = 0; i < 8; ++i) CHECK(chain.Get(true)->access_key_id == "NEW");
  CHECK(imds->forced() == 1);
  clock.Advance(CredentialChain::kForcedRefreshCoalesce + std::chrono::milliseconds(1));
  imds->Answer(Creds("NEWER"));
  CHECK(chain.Get(true)->access_key_id == "NEWER");
  CHECK(imds->forced() == 2);
}

TEST_CASE("CredentialChain keeps unexpired credentials when a refresh fails, retrying later") {
  testing::FakeClock clock;
  auto imds = std::make_shared<ScriptedProvider>("imds");
  imds->Answer(Creds("OLD", clock.Now() + minutes(20)));
  CredentialChain chain({imds}, clock);
  REQUIRE(chain.Get().ok());
  clock.Advance(minutes(6));
  imds->Answer(Error(ErrorCode::kTimeout, "imds timed out"));
  LogCapture log;
  CHECK(chain.Get()->access_key_id == "OLD");
  std::vector<std::string> warnings = log.lines();
  REQUIRE(warnings.size() == 1);
  CHECK_THAT(warnings[0],
             Catch::Contains("could not refresh credentials from imds: imds timed out; "
                             "using the current credentials until they expire"));
  CHECK_THAT(warnings[0], !Catch::Contains("chain-test-secret"));
  CHECK(chain.Get()->access_key_id == "OLD");
  CHECK(imds->calls() == 2);
  clock.Advance(minutes(1));
  CHECK(chain.Get()->access_key_id == "OLD");
  CHECK(imds->calls() == 3);
  CHECK(log.lines().size() == 2);
  // Once they expire, the failure is the answer.
  clock.Advance(minutes(14));
  Result<Credentials> got = chain.Get();
  REQUIRE_FALSE(got.ok());
  CHECK(got.error().code() == ErrorCode::kNoCredentials);
  CHECK(got.error().ToString() == "could not refresh credentials from imds: imds timed out");
  // A forced refresh never falls back to the old credentials.
  imds->Answer(Creds("NEW", clock.Now() + minutes(60)));
  CHECK(chain.Get()->access_key_id == "NEW");
  imds->Answer(Error(ErrorCode::kTimeout, "imds timed out"));
  CHECK_FALSE(chain.Get(true).ok());
}

TEST_CASE("CredentialChain does not hammer a source handing out nearly expired credentials") {
  testing::FakeClock clock;
  auto imds = std::make_shared<ScriptedProvider>("imds");
  imds->Answer(Creds("SHORT", clock.Now() + minutes(5)));
  CredentialChain chain({imds}, clock);
  for (int i = 0; i < 5; ++i) REQUIRE(chain.Get().ok());
  CHECK(imds->calls() == 1);
  clock.Advance(minutes(1));
  REQUIRE(chain.Get().ok());
  CHECK(imds->calls() == 2);
}

TEST_CASE("CredentialChain asks for already expired credentials once a minute, not per request") {
  // A credential_process answering an Expiration in the past ran once per S3 request.
  testing::FakeClock clock;
  auto process = std::make_shared<ScriptedProvider>("process");
  process->Answer(Creds("STALE", clock.Now() - hours(1)));
  CredentialChain chain({process}, clock);
  for (int i = 0; i < 20; ++i) REQUIRE(chain.Get().ok());
  CHECK(process->calls() == 1);
  clock.Advance(minutes(1));
  REQUIRE(chain.Get().ok());
  CHECK(process->calls() == 2);
}

TEST_CASE("CredentialChain goes back to the start when its source stops answering") {
  testing::FakeClock clock;
  auto a = std::make_shared<ScriptedProvider>("a");
  auto b = std::make_shared<ScriptedProvider>("b");
  a->Answer(Creds("A"));
  b->Answer(Creds("B"));
  CredentialChain chain({a, b}, clock);
  REQUIRE(chain.Get()->access_key_id == "A");
  a->Answer(Error(ErrorCode::kNoCredentials, "gone"));
  CHECK(chain.Get(true)->access_key_id == "B");
}

TEST_CASE("CredentialChain shares one fetch between concurrent callers") {
  testing::FakeClock clock;
  auto imds = std::make_shared<ScriptedProvider>("imds");
  imds->Answer(Creds("SHARED", clock.Now() + minutes(60)));
  CredentialChain chain({imds}, clock);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 50; ++j) {
        if (chain.Get().ok()) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok == 400);
  CHECK(imds->calls() == 1);
}

}  // namespace
}  // namespace s3us::aws

// RetryingTransport: how long it waits between attempts (jitter, throttles, Retry-After).
#include "net/retry.h"

#include <catch2/catch.hpp>

#include <string>

#include "fakes/fake_clock.h"
#include "fakes/fake_transport.h"
#include "net/retry_test_util.h"

namespace s3us::net {
namespace {

using retry_testing::FixedRandom;
using retry_testing::Get;
using retry_testing::TransportError;
using s3us::testing::FakeClock;
using s3us::testing::FakeTransport;
using s3us::testing::MakeResponse;
using std::chrono::milliseconds;

TEST_CASE("RetryingTransport backoff is random times the doubling base up to the cap") {
  RetryPolicy p = FixedRandom(0.5, 8);
  p.base = milliseconds(100);
  p.cap = milliseconds(1000);
  FakeClock clock;
  FakeTransport inner;
  for (int i = 0; i < 7; ++i) inner.Push(MakeResponse(500, ""));
  inner.Push(MakeResponse(200, "ok"));
  RetryingTransport t(inner, clock, p);
  REQUIRE(t.Send(Get()).ok());
  // 0.5 × min(1000, 100·2^i) for i = 0..6.
  std::vector<milliseconds> want = {milliseconds(50),  milliseconds(100), milliseconds(200),
                                    milliseconds(400), milliseconds(500), milliseconds(500),
                                    milliseconds(500)};
  CHECK(clock.sleeps() == want);
}

TEST_CASE("RetryingTransport backs off from the longer throttle base after 429 and 503") {
  for (int status : {429, 503}) {
    CAPTURE(status);
    RetryPolicy p = FixedRandom(0.5, 4);
    FakeClock clock;
    FakeTransport inner;
    inner.Push(MakeResponse(status, ""));
    inner.Push(MakeResponse(500, ""));  // not a throttle: the ordinary base
    inner.Push(MakeResponse(status, ""));
    inner.Push(MakeResponse(200, "ok"));
    RetryingTransport t(inner, clock, p);
    REQUIRE(t.Send(Get()).ok());
    // 0.5 × 500·2^0, 0.5 × 100·2^1, 0.5 × 500·2^2.
    CHECK(clock.sleeps() ==
          std::vector<milliseconds>{milliseconds(250), milliseconds(100), milliseconds(1000)});
  }
}

TEST_CASE("RetryingTransport retries a throttle past max_attempts until the deadline") {
  FakeClock clock;
  FakeTransport inner;
  inner.SetHandler([](const Request&) -> Result<Response> { return MakeResponse(503, ""); });
  RetryingTransport t(inner, clock, FixedRandom(1.0, 4));
  Request req = Get();
  req.deadline = Deadline::After(clock, std::chrono::seconds(10));
  Result<Response> r = t.Send(req);
  REQUIRE(r.ok());
  CHECK(r->status == 503);
  // Sleeps of 0.5, 1, 2 and 4 s fit in 10 s; the next 8 s would cross it: 5 attempts.
  CHECK(inner.request_count() == 5);

  SECTION("but not without a deadline, nor when the policy says so, nor for a 500") {
    for (int status : {503, 500}) {
      for (bool until_deadline : {true, false}) {
        FakeClock c;
        FakeTransport in;
        in.SetHandler(
            [status](const Request&) -> Result<Response> { return MakeResponse(status, ""); });
        RetryPolicy p = FixedRandom(1.0, 4);
        p.throttles_until_deadline = until_deadline;
        RetryingTransport rt(in, c, p);
        Request with_deadline = Get();
        with_deadline.deadline = Deadline::After(c, std::chrono::seconds(60));
        CHECK(rt.Send(status == 503 && until_deadline ? Get() : with_deadline).ok());
        CHECK(in.request_count() == 4);
      }
    }
  }
}

TEST_CASE("RetryingTransport without jitter still jitters a throttle") {
  RetryPolicy p = FixedRandom(0.25, 0);
  p.jitter = false;
  p.cap = milliseconds(2000);
  FakeClock clock;
  FakeTransport inner;
  inner.Push(TransportError(true));
  inner.Push(MakeResponse(500, ""));
  inner.Push(MakeResponse(429, ""));
  inner.Push(MakeResponse(200, "ok"));
  RetryingTransport t(inner, clock, p);
  Request req = Get();
  req.deadline = Deadline::After(clock, std::chrono::minutes(1));
  REQUIRE(t.Send(req).ok());
  // The whole ceiling after a refused connection and a 500; a quarter of it after the 429.
  CHECK(clock.sleeps() ==
        std::vector<milliseconds>{milliseconds(100), milliseconds(200), milliseconds(500)});
}

TEST_CASE("RetryingTransport backoff stays below the ceiling for extreme random values") {
  for (double r : {0.0, 0.999999}) {
    CAPTURE(r);
    RetryPolicy p = FixedRandom(r, 3);
    FakeClock clock;
    FakeTransport inner;
    inner.Push(MakeResponse(500, ""));
    inner.Push(MakeResponse(500, ""));
    inner.Push(MakeResponse(200, ""));
    RetryingTransport t(inner, clock, p);
    REQUIRE(t.Send(Get()).ok());
    auto sleeps = clock.sleeps();
    REQUIRE(sleeps.size() == 2);
    CHECK(sleeps[0] <= p.base);
    CHECK(sleeps[1] <= 2 * p.base);
    if (r == 0.0) CHECK(sleeps[0] == milliseconds(0));
  }
}

TEST_CASE("RetryingTransport default random stays within the jitter bounds") {
  RetryPolicy p;
  p.max_attempts = 6;
  FakeClock clock;
  FakeTransport inner;
  for (int i = 0; i < 5; ++i) inner.Push(MakeResponse(503, ""));
  inner.Push(MakeResponse(200, ""));
  RetryingTransport t(inner, clock, p);
  REQUIRE(t.Send(Get()).ok());
  auto sleeps = clock.sleeps();
  REQUIRE(sleeps.size() == 5);
  for (size_t i = 0; i < sleeps.size(); ++i) {
    CHECK(sleeps[i] >= milliseconds(0));
    CHECK(sleeps[i] < p.throttle_base * (1 << i));
  }
}

TEST_CASE("RetryingTransport honours Retry-After seconds up to the cap") {
  struct Case {
    std::string header;
    milliseconds want;
  };
  std::vector<Case> cases = {
      {"2", milliseconds(2000)},
      {" 3 ", milliseconds(3000)},
      {"3600", milliseconds(20000)},                         // capped
      {"Wed, 21 Oct 2015 07:28:00 GMT", milliseconds(250)},  // ignored: throttle jitter
      {"-1", milliseconds(250)},
      {"0", milliseconds(250)},  // never shorter than the backoff
  };
  for (const Case& c : cases) {
    CAPTURE(c.header);
    FakeClock clock;
    FakeTransport inner;
    inner.Push(MakeResponse(503, "", {{"retry-after", c.header}}));
    inner.Push(MakeResponse(200, "ok"));
    RetryingTransport t(inner, clock, FixedRandom(0.5));
    REQUIRE(t.Send(Get()).ok());
    CHECK(clock.sleeps() == std::vector<milliseconds>{c.want});
  }
}

TEST_CASE("RetryingTransport backs off from Retry-After 0 as from no header at all") {
  // A throttle does not use up attempts under a deadline: were "Retry-After: 0" obeyed, only
  // the deadline would end the retries, thousands of them a second.
  FakeClock clock;
  FakeTransport inner;
  inner.SetHandler([](const Request&) -> Result<Response> {
    return MakeResponse(503, "", {{"retry-after", "0"}});
  });
  RetryingTransport t(inner, clock, FixedRandom(0.5));
  Request req = Get();
  req.deadline = Deadline::After(clock, std::chrono::seconds(60));
  Result<Response> r = t.Send(req);
  REQUIRE(r.ok());
  CHECK(r->status == 503);
  // Half of 0.5, 1, 2, 4, 8, 16, 20, 20, ... s: 11 attempts in 60 s.
  CHECK(inner.request_count() == 11);
  CHECK(clock.sleeps().front() == milliseconds(250));
}

}  // namespace
}  // namespace s3us::net

#include "net/retry.h"

#include <catch2/catch.hpp>

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/log.h"
#include "fakes/fake_clock.h"
#include "fakes/fake_transport.h"
#include "net/sinks.h"

namespace s3us::net {
namespace {

using s3us::testing::FakeClock;
using s3us::testing::FakeTransport;
using s3us::testing::MakeResponse;
using std::chrono::milliseconds;

RetryPolicy FixedRandom(double r, int max_attempts = 4) {
  RetryPolicy p;
  p.max_attempts = max_attempts;
  p.random = [r] { return r; };
  return p;
}

Request Get(std::string url = "http://h/p") {
  Request r;
  r.url = std::move(url);
  return r;
}

Error TransportError(bool retryable) {
  return Error(ErrorCode::kTransport, "connecting to h:80: connection refused")
      .set_retryable(retryable);
}

// Captures debug log lines for the scope of a test.
class LogCapture {
 public:
  LogCapture() {
    old_level_ = GetLogLevel();
    SetLogLevel(LogLevel::kDebug);
    SetLogSink([this](LogLevel, std::string_view line) {
      std::lock_guard<std::mutex> l(mu_);
      lines_.emplace_back(line);
    });
  }
  ~LogCapture() {
    SetLogSink(nullptr);
    SetLogLevel(old_level_);
  }
  std::vector<std::string> lines() {
    std::lock_guard<std::mutex> l(mu_);
    return lines_;
  }

 private:
  LogLevel old_level_;
  std::mutex mu_;
  std::vector<std::string> lines_;
};

TEST_CASE("RetryingTransport retries 429 and the 5xx gateway statuses until success") {
  for (int status : {429, 500, 502, 503, 504}) {
    CAPTURE(status);
    FakeClock clock;
    FakeTransport inner;
    inner.Push(MakeResponse(status, "busy"));
    inner.Push(MakeResponse(200, "ok"));
    RetryingTransport t(inner, clock, FixedRandom(0.5));
    Result<Response> r = t.Send(Get());
    REQUIRE(r.ok());
    CHECK(r->status == 200);
    CHECK(r->body == "ok");
    CHECK(inner.request_count() == 2);
  }
}

TEST_CASE("RetryingTransport never retries other statuses") {
  for (int status : {200, 204, 301, 302, 304, 400, 401, 403, 404, 405, 409, 412, 501, 505}) {
    CAPTURE(status);
    FakeClock clock;
    FakeTransport inner;
    inner.Push(MakeResponse(status, "x"));
    inner.Push(MakeResponse(200, "must not be reached"));
    RetryingTransport t(inner, clock, FixedRandom(0.5));
    Result<Response> r = t.Send(Get());
    REQUIRE(r.ok());
    CHECK(r->status == status);
    CHECK(inner.request_count() == 1);
    CHECK(clock.sleeps().empty());
  }
}

TEST_CASE("RetryingTransport retries only retryable transport and timeout errors") {
  struct Case {
    Error error;
    bool retried;
  };
  std::vector<Case> cases = {
      {TransportError(true), true},
      {TransportError(false), false},  // e.g. a TLS verification failure
      {Error(ErrorCode::kTimeout, "request timed out").set_retryable(true), true},
      {Error(ErrorCode::kTimeout, "deadline passed").set_retryable(false), false},
      {Error(ErrorCode::kLimitExceeded, "too large").set_retryable(true), false},
      {Error(ErrorCode::kIo, "disk full"), false},
      {Error(ErrorCode::kInvalidInput, "malformed url"), false},
  };
  for (const Case& c : cases) {
    CAPTURE(c.error.ToString());
    FakeClock clock;
    FakeTransport inner;
    inner.Push(c.error);
    inner.Push(MakeResponse(200, "ok"));
    RetryingTransport t(inner, clock, FixedRandom(0.5));
    Result<Response> r = t.Send(Get());
    CHECK(r.ok() == c.retried);
    CHECK(inner.request_count() == (c.retried ? 2u : 1u));
    if (!c.retried) CHECK(r.error().code() == c.error.code());
  }
}

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

TEST_CASE("RetryingTransport stops at max_attempts and returns the last outcome") {
  FakeClock clock;
  FakeTransport inner;
  inner.SetHandler([](const Request&) -> Result<Response> { return MakeResponse(503, "slow"); });
  RetryingTransport t(inner, clock, FixedRandom(0.5, 3));
  Result<Response> r = t.Send(Get());
  REQUIRE(r.ok());
  CHECK(r->status == 503);
  CHECK(inner.request_count() == 3);
  CHECK(clock.sleeps().size() == 2);
}

TEST_CASE("RetryingTransport adds giving-up context to the last error at max_attempts") {
  FakeClock clock;
  FakeTransport inner;
  inner.SetHandler([](const Request&) -> Result<Response> { return TransportError(true); });
  RetryingTransport t(inner, clock, FixedRandom(0.5, 2));
  Result<Response> r = t.Send(Get());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == ErrorCode::kTransport);
  CHECK(r.error().ToString() ==
        "giving up after 2 attempts: connecting to h:80: connection refused");
  CHECK(inner.request_count() == 2);
}

TEST_CASE("RetryingTransport never sleeps past the deadline") {
  FakeClock clock;
  FakeTransport inner;
  inner.SetHandler([](const Request&) -> Result<Response> { return TransportError(true); });
  RetryPolicy p = FixedRandom(1.0, 0);  // unlimited attempts: only the deadline stops it
  p.base = milliseconds(100);
  p.cap = milliseconds(1000);
  RetryingTransport t(inner, clock, p);
  Request req = Get();
  req.deadline = Deadline::After(clock, milliseconds(1000));
  Result<Response> r = t.Send(req);
  REQUIRE_FALSE(r.ok());
  // Sleeps 100 + 200 + 400 = 700 ms; the next (800 ms) would cross the 1000 ms deadline.
  CHECK(clock.sleeps() ==
        std::vector<milliseconds>{milliseconds(100), milliseconds(200), milliseconds(400)});
  CHECK(inner.request_count() == 4);
  CHECK(r.error().ToString() ==
        "giving up after 4 attempts: deadline: connecting to h:80: connection refused");
  CHECK_FALSE(req.deadline.Expired(clock));
}

TEST_CASE("RetryingTransport returns the last response when the deadline stops it") {
  FakeClock clock;
  FakeTransport inner;
  inner.Push(MakeResponse(503, "", {{"retry-after", "10"}}));
  RetryingTransport t(inner, clock, FixedRandom(0.5, 0));
  Request req = Get();
  req.deadline = Deadline::After(clock, milliseconds(5000));
  Result<Response> r = t.Send(req);
  REQUIRE(r.ok());
  CHECK(r->status == 503);
  CHECK(inner.request_count() == 1);
  CHECK(clock.sleeps().empty());
}

TEST_CASE("RetryingTransport with unlimited attempts keeps trying until the service answers") {
  FakeClock clock;
  FakeTransport inner;
  for (int i = 0; i < 20; ++i) inner.Push(TransportError(true));
  inner.Push(MakeResponse(200, "token"));
  RetryPolicy p = FixedRandom(0.5, 0);
  p.cap = milliseconds(1000);
  RetryingTransport t(inner, clock, p);
  Request req = Get();
  req.deadline = Deadline::After(clock, std::chrono::minutes(5));
  Result<Response> r = t.Send(req);
  REQUIRE(r.ok());
  CHECK(r->body == "token");
  CHECK(inner.request_count() == 21);
}

TEST_CASE("RetryingTransport refuses unlimited attempts without a deadline") {
  FakeClock clock;
  FakeTransport inner;
  RetryingTransport t(inner, clock, FixedRandom(0.5, 0));
  Result<Response> r = t.Send(Get());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == ErrorCode::kInvalidInput);
  CHECK(inner.request_count() == 0);
}

// A sink that records its calls and reports what FakeTransport wrote.
class CountingSink : public BodySink {
 public:
  Status Write(std::string_view chunk) override {
    data += chunk;
    return Ok();
  }
  Status Reset() override {
    ++resets;
    data.clear();
    return reset_error ? Status(*reset_error) : Ok();
  }
  std::string data;
  int resets = 0;
  std::optional<Error> reset_error;
};

TEST_CASE("RetryingTransport resets the sink before each retry but not before the first") {
  FakeClock clock;
  FakeTransport inner;
  inner.Push(TransportError(true));
  inner.Push(MakeResponse(503, ""));
  inner.Push(MakeResponse(200, "body"));
  RetryingTransport t(inner, clock, FixedRandom(0.5));
  CountingSink sink;
  sink.data = "partial bytes from a failed attempt";
  Result<Response> r = t.Send(Get(), &sink);
  REQUIRE(r.ok());
  CHECK(sink.resets == 2);
  CHECK(sink.data == "body");
}

TEST_CASE("RetryingTransport returns a failing sink reset without retrying further") {
  FakeClock clock;
  FakeTransport inner;
  inner.Push(MakeResponse(500, ""));
  inner.Push(MakeResponse(200, "body"));
  RetryingTransport t(inner, clock, FixedRandom(0.5));
  CountingSink sink;
  sink.reset_error = Error(ErrorCode::kIo, "cannot truncate /x");
  Result<Response> r = t.Send(Get(), &sink);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == ErrorCode::kIo);
  CHECK(inner.request_count() == 1);
}

TEST_CASE("RetryingTransport logs each retry at debug level with a redacted URL") {
  LogCapture capture;
  FakeClock clock;
  FakeTransport inner;
  inner.Push(MakeResponse(503, ""));
  inner.Push(MakeResponse(200, ""));
  RetryingTransport t(inner, clock, FixedRandom(0.5));
  REQUIRE(t.Send(Get("http://h/p?X-Amz-Signature=abc")).ok());
  auto lines = capture.lines();
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("debug: GET http://h/p: attempt 2 of 4 after 503") != std::string::npos);
  CHECK(lines[0].find("Signature") == std::string::npos);
}

TEST_CASE("RetryingTransport passes the same request to every attempt") {
  FakeClock clock;
  FakeTransport inner;
  inner.Push(MakeResponse(502, ""));
  inner.Push(MakeResponse(200, ""));
  RetryingTransport t(inner, clock, FixedRandom(0.5));
  Request req = Get("http://h/a/../b");
  req.method = "PUT";
  req.headers = {{"x-aws-ec2-metadata-token-ttl-seconds", "21600"}};
  REQUIRE(t.Send(req).ok());
  auto seen = inner.requests();
  REQUIRE(seen.size() == 2);
  for (const Request& s : seen) {
    CHECK(s.method == "PUT");
    CHECK(s.url == "http://h/a/../b");
    CHECK(s.headers == req.headers);
  }
}

}  // namespace
}  // namespace s3us::net

// RetryingTransport: which outcomes are retried, attempts, the deadline, sinks and logging.
#include "net/retry.h"

#include <catch2/catch.hpp>

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/log.h"
#include "fakes/fake_clock.h"
#include "fakes/fake_transport.h"
#include "net/retry_test_util.h"
#include "net/sinks.h"

namespace s3us::net {
namespace {

using retry_testing::FixedRandom;
using retry_testing::Get;
using retry_testing::TransportError;
using s3us::testing::FakeClock;
using s3us::testing::FakeTransport;
using s3us::testing::MakeResponse;
using std::chrono::milliseconds;

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

TEST_CASE("RetryingTransport gives the attempt after a timeout twice as long") {
  // An IMDS that answers every request in 3 s was asked every 2 s until the deadline.
  FakeClock clock;
  FakeTransport inner;
  Error slow = Error(ErrorCode::kTimeout, "timed out after 2000 ms").set_retryable(true);
  inner.Push(slow);
  inner.Push(TransportError(true));
  inner.Push(slow);
  inner.Push(slow);
  inner.Push(slow);
  inner.Push(MakeResponse(200, "token"));
  RetryPolicy policy = FixedRandom(0.5);
  policy.max_attempts = 0;
  RetryingTransport t(inner, clock, policy);
  Request req = Get();
  req.timeout = milliseconds(2000);
  req.deadline = Deadline::After(clock, std::chrono::seconds(300));
  REQUIRE(t.Send(req).ok());
  auto seen = inner.requests();
  REQUIRE(seen.size() == 6);
  CHECK(seen[0].timeout == milliseconds(2000));
  CHECK(seen[1].timeout == milliseconds(4000));
  CHECK(seen[2].timeout == milliseconds(4000));  // a reset says nothing about slowness
  CHECK(seen[3].timeout == milliseconds(8000));
  CHECK(seen[4].timeout == milliseconds(16000));
  CHECK(seen[5].timeout == milliseconds(16000));  // at most 8 times the request's own
}

}  // namespace
}  // namespace s3us::net

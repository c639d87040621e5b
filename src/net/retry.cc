#include "net/retry.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <random>
#include <string>

#include "core/log.h"
#include "core/secret.h"
#include "core/strings.h"

namespace s3us::net {
namespace {

double DefaultRandom() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

// Retry-After in seconds ("120"); the HTTP-date form is not used by S3 or IMDS.
std::optional<Clock::Duration> RetryAfter(const Response& r) {
  std::string_view v = Trim(r.Header("retry-after"));
  if (v.empty() || v.size() > 9) return std::nullopt;
  long seconds = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return std::nullopt;
    seconds = seconds * 10 + (c - '0');
  }
  return std::chrono::seconds(seconds);
}

std::string Outcome(const Result<Response>& r) {
  if (r.ok()) return std::to_string(r->status);
  return r.error().ToString();
}

}  // namespace

bool IsRetryableStatus(int status) {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

bool IsThrottlingStatus(int status) { return status == 429 || status == 503; }

bool IsRetryableError(const Error& error) {
  return error.retryable() &&
         (error.code() == ErrorCode::kTransport || error.code() == ErrorCode::kTimeout);
}

RetryingTransport::RetryingTransport(Transport& inner, Clock& clock, RetryPolicy policy)
    : inner_(inner), clock_(clock), policy_(std::move(policy)) {
  if (!policy_.random) policy_.random = DefaultRandom;
}

// Retry-After raises the sleep, never lowers it: "Retry-After: 0" on every answer would
// otherwise make the retries back to back until the deadline (thousands a second).
Clock::Duration RetryingTransport::Backoff(int retry_index, const Result<Response>& last) {
  const bool throttled = last.ok() && IsThrottlingStatus(last->status);
  const Clock::Duration base = throttled ? policy_.throttle_base : policy_.base;
  const Clock::Duration cap = throttled ? policy_.throttle_cap : policy_.cap;
  double ceiling = static_cast<double>(base.count()) * std::ldexp(1.0, std::min(retry_index, 62));
  ceiling = std::min(ceiling, static_cast<double>(cap.count()));
  double r = policy_.jitter || throttled ? std::clamp(policy_.random(), 0.0, 1.0) : 1.0;
  Clock::Duration delay(static_cast<Clock::Duration::rep>(r * ceiling));
  if (last.ok()) {
    if (auto after = RetryAfter(*last)) delay = std::max(delay, std::min(*after, cap));
  }
  return delay;
}

Result<Response> RetryingTransport::Send(const Request& request, BodySink* sink) {
  const int max = policy_.max_attempts;
  if (max <= 0 && !request.deadline.is_set()) {
    return Error(ErrorCode::kInvalidInput, "unlimited retries need a deadline");
  }
  const std::string what = request.method + " " + RedactUrl(request.url);
  std::optional<Result<Response>> previous;
  // After a timeout the next attempt may take twice as long, up to kMaxTimeoutGrowth times
  // the caller's cap: a service that answers every request, only slower than that cap (IMDS
  // under load at boot), gets through before the deadline instead of being asked again and
  // again for as long; one that never answers is still asked every few seconds.
  std::optional<Request> longer;
  for (int attempt = 1;; ++attempt) {
    if (attempt > 1 && sink != nullptr) {
      if (Status s = sink->Reset(); !s.ok()) return std::move(s).error();
    }
    const Request& current = longer ? *longer : request;
    Result<Response> result = inner_.Send(current, sink);
    if (!result.ok() && result.error().code() == ErrorCode::kTimeout &&
        current.timeout.count() > 0) {
      if (!longer) longer = request;
      longer->timeout = std::min(longer->timeout * 2, request.timeout * kMaxTimeoutGrowth);
    }
    if (policy_.use_whole_deadline && previous && !result.ok() &&
        request.deadline.Expired(clock_)) {
      result = std::move(*previous);
      --attempt;
    }
    bool retry = result.ok() ? IsRetryableStatus(result->status) : IsRetryableError(result.error());
    if (!retry) return result;

    const std::string attempts =
        "giving up after " + std::to_string(attempt) + (attempt == 1 ? " attempt" : " attempts");
    const bool throttled = result.ok() && IsThrottlingStatus(result->status);
    const bool unlimited =
        policy_.throttles_until_deadline && throttled && request.deadline.is_set();
    if (max > 0 && attempt >= max && !unlimited) {
      LogDebug(what + ": " + attempts + " after " + Outcome(result));
      if (!result.ok()) result.error().WithContext(attempts);
      return result;
    }
    Clock::Duration delay = Backoff(attempt - 1, result);
    Clock::Duration remaining = request.deadline.Remaining(clock_);
    if (policy_.use_whole_deadline && remaining > Clock::Duration::zero()) {
      delay = std::min(delay, remaining);
    } else if (request.deadline.is_set() && delay >= remaining) {
      LogDebug(what + ": " + attempts + ": deadline, after " + Outcome(result));
      if (!result.ok()) result.error().WithContext(attempts + ": deadline");
      return result;
    }
    std::string of = max > 0 && !unlimited ? " of " + std::to_string(max) : "";
    LogDebug(what + ": attempt " + std::to_string(attempt + 1) + of + " after " + Outcome(result) +
             " (sleeping " + std::to_string(delay.count()) + " ms)");
    clock_.SleepFor(delay);
    previous = std::move(result);
  }
}

}  // namespace s3us::net

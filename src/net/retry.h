// RetryingTransport: the one place where HTTP exchanges are retried.
//
// Wraps any Transport. Retries transport failures marked retryable (connect, reset,
// timeout, short body) and HTTP 500/502/503/504 and 429, with capped full-jitter backoff,
// honouring Retry-After, never past the request's Deadline; throttling answers (429, 503)
// from a longer base and, with a deadline, until it. Never retries other 4xx:
// one-shot repairs (wrong region, clock skew, expired token) belong to the S3 client.
// An attempt that timed out is followed by one with twice its Request::timeout (at most
// kMaxTimeoutGrowth times the request's own). Before a retry, the BodySink (if any) is
// Reset(). Each attempt is logged at debug level.
// Thread-safe if the wrapped transport is.
#ifndef S3US_NET_RETRY_H_
#define S3US_NET_RETRY_H_

#include <functional>

#include "core/clock.h"
#include "net/transport.h"

namespace s3us::net {

// The sleep before retry i (0-based) is random() * min(cap, base * 2^i) ("full jitter"),
// with throttle_base and throttle_cap for a throttling answer; a Retry-After in seconds
// lengthens it to min(Retry-After, cap), never shortens it.
struct RetryPolicy {
  // Total attempts, the first included. 0 = unlimited within Request::deadline (IMDS at
  // boot waits for the service to come up); 0 without a deadline is refused.
  int max_attempts = 4;
  // A throttling answer does not count against max_attempts when the request has a
  // deadline: the service is up and asks for less, and a boot that gives up after 3.5 s
  // of SlowDown fails a fleet that backing off up to throttle_cap would have let through.
  bool throttles_until_deadline = true;
  // AWS standard mode uses a 1 s base. We start at 100 ms because every retry here delays
  // the instance's boot, and the failures we meet (IMDS not up yet, one reset connection,
  // a 503 SlowDown burst) usually clear within a few hundred ms; the jitter and the
  // doubling still spread a fleet out, and the cap bounds a long outage's polling rate.
  Clock::Duration base{100};
  // A throttling answer (429; 503, S3's SlowDown) means the service is up and shared with
  // clients that are too fast together: a fleet retrying 100 ms later is throttled again.
  // The AWS SDKs back off from 500 ms for these (smithy's THROTTLING_RETRY_DELAY_BASE).
  Clock::Duration throttle_base{500};
  Clock::Duration cap{20000};
  // The cap for throttling answers: the AWS SDKs' 20 s even where `cap` is lower (IMDS),
  // so that a fleet held back for long polls ever more slowly instead of every 2 s.
  Clock::Duration throttle_cap{20000};
  // Uniform in [0, 1); replaceable for deterministic tests. Empty means a thread-local
  // std::mt19937_64 seeded from std::random_device.
  std::function<double()> random;
  // false: sleep the whole ceiling after a failure (IMDS not up yet at boot, where no one
  // shares the endpoint). Throttling answers are jittered all the same: a throttle says
  // others share it, and retrying in step with them only meets the throttle again.
  bool jitter = true;
  // When the next sleep would cross the deadline: false gives up at once; true sleeps what
  // is left and tries once more at the deadline (IMDS at boot: every moment of the wait
  // counts). An attempt that the deadline itself cut short says nothing new, so the one
  // before it is returned.
  bool use_whole_deadline = false;
};

// How far a per-attempt timeout grows after timeouts: 2 s becomes 4, 8, then 16 s.
inline constexpr int kMaxTimeoutGrowth = 8;

// Whether RetryingTransport retries this outcome (exposed for tests and for logs).
bool IsRetryableStatus(int status);
bool IsThrottlingStatus(int status);
bool IsRetryableError(const Error& error);

class RetryingTransport : public Transport {
 public:
  RetryingTransport(Transport& inner, Clock& clock, RetryPolicy policy = {});
  // Returns the last attempt's outcome: a Response (any status, including a 5xx that was
  // retried until max_attempts) or the last Error, with context "giving up after N
  // attempts" (": deadline" when the next sleep would cross the deadline). A failing
  // sink Reset() is returned as is. kInvalidInput for max_attempts 0 without a deadline.
  Result<Response> Send(const Request& request, BodySink* sink = nullptr) override;

 private:
  Clock::Duration Backoff(int retry_index, const Result<Response>& last);

  Transport& inner_;
  Clock& clock_;
  RetryPolicy policy_;
};

}  // namespace s3us::net

#endif  // S3US_NET_RETRY_H_

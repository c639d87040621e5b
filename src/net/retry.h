// RetryingTransport: the one place where HTTP exchanges are retried.
//
// Wraps any Transport. Retries transport failures marked retryable (connect, reset,
// timeout, short body) and HTTP 500/502/503/504 and 429, with capped full-jitter backoff,
// honouring Retry-After, never past the request's Deadline. Never retries other 4xx:
// one-shot repairs (wrong region, clock skew, expired token) belong to the S3 client.
// Before a retry, the BodySink (if any) is Reset(). Each attempt is logged at debug level.
// Thread-safe if the wrapped transport is.
#ifndef S3US_NET_RETRY_H_
#define S3US_NET_RETRY_H_

#include <functional>

#include "core/clock.h"
#include "net/transport.h"

namespace s3us::net {

struct RetryPolicy {
  int max_attempts = 4;  // total, first attempt included
  Clock::Duration base{100};
  Clock::Duration cap{20000};
  // Uniform in [0, 1); replaceable for deterministic tests.
  std::function<double()> random;
};

class RetryingTransport : public Transport {
 public:
  RetryingTransport(Transport& inner, Clock& clock, RetryPolicy policy = {});
  Result<Response> Send(const Request& request, BodySink* sink = nullptr) override;

 private:
  Transport& inner_;
  Clock& clock_;
  RetryPolicy policy_;
};

}  // namespace s3us::net

#endif  // S3US_NET_RETRY_H_

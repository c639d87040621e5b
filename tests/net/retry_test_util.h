// Shared by the RetryingTransport tests: a policy with a fixed random draw, a GET and a
// transport error.
#ifndef S3US_TESTS_NET_RETRY_TEST_UTIL_H_
#define S3US_TESTS_NET_RETRY_TEST_UTIL_H_

#include <string>

#include "core/error.h"
#include "net/retry.h"
#include "net/transport.h"

namespace s3us::net::retry_testing {

inline RetryPolicy FixedRandom(double r, int max_attempts = 4) {
  RetryPolicy p;
  p.max_attempts = max_attempts;
  p.random = [r] { return r; };
  return p;
}

inline Request Get(std::string url = "http://h/p") {
  Request r;
  r.url = std::move(url);
  return r;
}

inline Error TransportError(bool retryable) {
  return Error(ErrorCode::kTransport, "connecting to h:80: connection refused")
      .set_retryable(retryable);
}

}  // namespace s3us::net::retry_testing

#endif  // S3US_TESTS_NET_RETRY_TEST_UTIL_H_

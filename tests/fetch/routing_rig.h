// What the RoutingFetcher's tests share: the fetcher between a fake S3 client, a fake
// transport and a fake clock.
#ifndef S3US_TESTS_FETCH_ROUTING_RIG_H_
#define S3US_TESTS_FETCH_ROUTING_RIG_H_

#include <string>

#include "fetch/routing_fetcher.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/fake_transport.h"
#include "tests/fetch/fake_s3_client.h"

namespace s3us::fetch::rig {

struct Rig {
  testing::FakeS3Client s3;
  testing::FakeTransport http;
  testing::FakeClock clock;
  RoutingFetcher fetcher{s3, http, clock};
};

inline bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace s3us::fetch::rig

#endif  // S3US_TESTS_FETCH_ROUTING_RIG_H_

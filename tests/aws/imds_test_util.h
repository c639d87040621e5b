// Shared by the ImdsClient tests: a framed IMDS answer, a client over FakeImds, a log
// capture and a header lookup.
#ifndef S3US_TESTS_AWS_IMDS_TEST_UTIL_H_
#define S3US_TESTS_AWS_IMDS_TEST_UTIL_H_

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "aws/fake_imds.h"
#include "aws/imds_client.h"
#include "core/log.h"
#include "core/strings.h"
#include "fakes/fake_clock.h"
#include "fakes/fake_transport.h"

namespace s3us::aws::imds_testing {

using s3us::testing::FakeClock;
using s3us::testing::FakeImds;
using s3us::testing::FakeTransport;
using s3us::testing::MakeResponse;

// A 200 as IMDS sends it, with its Content-Length.
inline net::Response Framed(std::string body) {
  std::string length = std::to_string(body.size());
  return MakeResponse(200, std::move(body), {{"content-length", length}});
}

struct ClientFixture {
  FakeTransport transport;
  FakeClock clock;
  FakeImds imds{transport};
  ImdsOptions options;
  ImdsClient Client() { return ImdsClient("http://169.254.169.254", transport, clock, options); }
};

// Collects warning lines while alive.
struct LogCapture {
  std::vector<std::string> lines;
  std::mutex mu;
  LogCapture() {
    SetLogSink([this](LogLevel, std::string_view line) {
      std::lock_guard<std::mutex> l(mu);
      lines.emplace_back(line);
    });
  }
  ~LogCapture() { SetLogSink(nullptr); }
};

inline std::string HeaderOf(const net::Request& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (IEquals(k, name)) return v;
  }
  return {};
}

}  // namespace s3us::aws::imds_testing

#endif  // S3US_TESTS_AWS_IMDS_TEST_UTIL_H_

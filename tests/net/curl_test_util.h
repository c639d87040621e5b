// Helpers shared by the CurlTransport tests: options independent of the environment the
// tests run in, a GET with a generous timeout, and a handler that answers one response.
#ifndef S3US_TESTS_NET_CURL_TEST_UTIL_H_
#define S3US_TESTS_NET_CURL_TEST_UTIL_H_

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "net/curl_transport.h"
#include "net/loopback_server.h"

namespace s3us::net {

inline CurlTransportOptions TestOptions() {
  CurlTransportOptions o;
  o.connect_timeout = std::chrono::milliseconds(2000);
  return o;
}

inline Request Get(std::string url) {
  Request r;
  r.url = std::move(url);
  r.timeout = std::chrono::milliseconds(10000);
  return r;
}

inline testing::LoopbackServer::Handler Answer(
    int status, std::string body, std::vector<std::pair<std::string, std::string>> headers = {}) {
  return [=](const testing::HttpRequest&, testing::Connection& c) {
    c.Respond(status, body, headers);
  };
}

}  // namespace s3us::net

#endif  // S3US_TESTS_NET_CURL_TEST_UTIL_H_

#include "net/curl_errors.h"

#include <catch2/catch.hpp>

#include <cerrno>
#include <vector>

namespace s3us::net {
namespace {

CurlFailure Failure(CURLcode code, long os_errno = 0, std::string buffer = "") {
  CurlFailure f;
  f.code = code;
  f.endpoint = "127.0.0.1:8080";
  f.os_errno = os_errno;
  f.error_buffer = std::move(buffer);
  return f;
}

TEST_CASE("MapCurlFailure classifies libcurl codes into error codes and retryability") {
  struct Case {
    CURLcode curl;
    ErrorCode code;
    bool retryable;
  };
  std::vector<Case> cases = {
      {CURLE_COULDNT_RESOLVE_HOST, ErrorCode::kTransport, true},
      {CURLE_COULDNT_RESOLVE_PROXY, ErrorCode::kTransport, true},
      {CURLE_COULDNT_CONNECT, ErrorCode::kTransport, true},
      {CURLE_SEND_ERROR, ErrorCode::kTransport, true},
      {CURLE_RECV_ERROR, ErrorCode::kTransport, true},
      {CURLE_GOT_NOTHING, ErrorCode::kTransport, true},
      {CURLE_PARTIAL_FILE, ErrorCode::kTransport, true},
      {CURLE_HTTP2_STREAM, ErrorCode::kTransport, true},
      {CURLE_OPERATION_TIMEDOUT, ErrorCode::kTimeout, true},
      {CURLE_SSL_CONNECT_ERROR, ErrorCode::kTransport, false},
      {CURLE_PEER_FAILED_VERIFICATION, ErrorCode::kTransport, false},
      {CURLE_SSL_CACERT_BADFILE, ErrorCode::kTransport, false},
      {CURLE_WEIRD_SERVER_REPLY, ErrorCode::kTransport, false},
      {CURLE_UNSUPPORTED_PROTOCOL, ErrorCode::kUnsupported, false},
      {CURLE_URL_MALFORMAT, ErrorCode::kInvalidInput, false},
      {CURLE_OUT_OF_MEMORY, ErrorCode::kInternal, false},
  };
  for (const Case& c : cases) {
    CAPTURE(curl_easy_strerror(c.curl));
    Error e = MapCurlFailure(Failure(c.curl));
    CHECK(e.code() == c.code);
    CHECK(e.retryable() == c.retryable);
    CHECK(e.message().find("127.0.0.1:8080") != std::string::npos);
  }
}

TEST_CASE("MapCurlFailure names the OS cause of a refused connection in lower case") {
  Error e = MapCurlFailure(Failure(CURLE_COULDNT_CONNECT, ECONNREFUSED,
                                   "Failed to connect to 127.0.0.1 port 8080 after 0 ms"));
  CHECK(e.message() ==
        "connecting to 127.0.0.1:8080: connection refused "
        "(failed to connect to 127.0.0.1 port 8080 after 0 ms)");
}

TEST_CASE("MapCurlFailure names the CA bundle when a certificate is not trusted") {
  CurlFailure f = Failure(CURLE_PEER_FAILED_VERIFICATION, 0,
                          "SSL certificate problem: unable to get local issuer certificate");
  CHECK(MapCurlFailure(f).message() ==
        "tls with 127.0.0.1:8080: ssl peer certificate or ssh remote key was not ok (SSL "
        "certificate problem: unable to get local issuer certificate); the server's certificate "
        "is not trusted by the system CA store (package ca-certificates) (set AWS_CA_BUNDLE to "
        "a file holding the CA that signs it)");
  CurlFailure bad = Failure(CURLE_SSL_CACERT_BADFILE);
  bad.ca_bundle = "/etc/missing.pem";
  CHECK(MapCurlFailure(bad).message().ends_with(
      "; the CA bundle could not be read: check AWS_CA_BUNDLE=/etc/missing.pem"));
}

TEST_CASE("MapCurlFailure makes a timeout final once the deadline has passed") {
  CurlFailure f = Failure(CURLE_OPERATION_TIMEDOUT, 0,
                          "Operation timed out after 250 milliseconds with 3 out of 100 bytes "
                          "received");
  f.timeout = std::chrono::milliseconds(250);
  f.elapsed = std::chrono::milliseconds(250);
  f.connected = true;
  f.deadline_expired = true;
  Error e = MapCurlFailure(f);
  CHECK_FALSE(e.retryable());
  CHECK(e.message() ==
        "request to 127.0.0.1:8080: the deadline passed after 250 ms (operation timed out after "
        "250 milliseconds with 3 out of 100 bytes received)");
}

TEST_CASE("MapCurlFailure names the limit a timeout came from, retryable before the deadline") {
  CurlFailure f = Failure(CURLE_OPERATION_TIMEDOUT);
  f.timeout = std::chrono::milliseconds(299985);
  f.connect_timeout = std::chrono::milliseconds(3000);
  f.low_speed_limit = 1024;
  f.low_speed_time = std::chrono::seconds(30);
  SECTION("the connect timeout") {
    f.elapsed = std::chrono::milliseconds(3001);
    Error e = MapCurlFailure(f);
    CHECK(e.code() == ErrorCode::kTimeout);
    CHECK(e.retryable());
    CHECK(e.message() ==
          "connecting to 127.0.0.1:8080: connect timed out after 3001 ms (limit 3000 ms)");
  }
  SECTION("the low-speed check, which says where the answer stalled") {
    f.connected = true;
    f.elapsed = std::chrono::milliseconds(30012);
    f.body_bytes = 20;
    const std::string stalled = "request to 127.0.0.1:8080: no data for 30 s (under 1024 bytes/s) ";
    Error e = MapCurlFailure(f);
    CHECK(e.retryable());
    CHECK(e.message() == stalled + "after 20 body bytes, after 30012 ms");
    f.body_length = 53;
    CHECK(MapCurlFailure(f).message() == stalled + "after 20 of 53 body bytes, after 30012 ms");
    f.body_bytes = 53;
    CHECK(MapCurlFailure(f).message() ==
          stalled + "after all 53 body bytes declared: the answer did not end, after 30012 ms");
    f.receiving_headers = true;
    CHECK(MapCurlFailure(f).message() == stalled + "waiting for the answer, after 30012 ms");
  }
  SECTION("the attempt's own timeout") {
    f.connected = true;
    f.timeout = std::chrono::milliseconds(2000);
    f.elapsed = std::chrono::milliseconds(2001);
    Error e = MapCurlFailure(f);
    CHECK(e.retryable());
    CHECK(e.message() ==
          "request to 127.0.0.1:8080: timed out after 2001 ms (attempt timeout 2000 ms)");
  }
}

TEST_CASE("MapCurlFailure calls a partial transfer a short body") {
  Error e = MapCurlFailure(Failure(CURLE_PARTIAL_FILE));
  CHECK(e.message().find("short body from 127.0.0.1:8080: ") == 0);
}

TEST_CASE("MapCurlFailure calls running out of memory in the headers a header over 100 KiB") {
  CurlFailure f = Failure(CURLE_OUT_OF_MEMORY);
  f.receiving_headers = true;
  Error e = MapCurlFailure(f);
  CHECK(e.code() == ErrorCode::kTransport);
  CHECK_FALSE(e.retryable());
  CHECK(e.message() == "a header line from 127.0.0.1:8080 is over 100 KiB");
}

}  // namespace
}  // namespace s3us::net

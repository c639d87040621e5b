// CurlTransport against answers whose framing is hostile or merely unusual (what is read,
// what is refused, and that nothing of it costs unbounded memory or time), and the check
// that keeps a server-chosen URL away from IMDS.
#include <catch2/catch.hpp>

#include <string>

#include "net/curl_test_util.h"
#include "net/curl_transfer.h"
#include "net/curl_transport.h"
#include "net/loopback_server.h"
#include "net/sinks.h"

namespace s3us::net {
namespace {

using s3us::testing::Connection;
using s3us::testing::HttpRequest;
using s3us::testing::LoopbackServer;

// Writes `piece` until the client hangs up.
void Endless(Connection& c, const std::string& piece) {
  while (c.Write(piece)) {
  }
  c.Close();
}

TEST_CASE("CurlTransport reads the final answer after 100 and 103, with its own headers") {
  LoopbackServer server([](const HttpRequest&, Connection& c) {
    c.Write(
        "HTTP/1.1 100 Continue\r\n\r\n"
        "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\nContent-Length: 999\r\n\r\n"
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nETag: \"x\"\r\n\r\nhello");
  });
  CurlTransport transport(TestOptions());
  MemorySink sink;
  Result<Response> r = transport.Send(Get(server.Url("/")), &sink);
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  CHECK(sink.data() == "hello");
  CHECK(r->Header("content-length") == "5");
  CHECK(r->Header("link").empty());
}

TEST_CASE("CurlTransport refuses an unrequested 101 at once instead of reading to the close") {
  LoopbackServer server([&server](const HttpRequest&, Connection& c) {
    c.Write(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n"
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
    server.WaitForStop();  // held open: the old reading waited for the close
  });
  CurlTransport transport(TestOptions());
  MemorySink sink;
  Request request = Get(server.Url("/"));
  request.timeout = std::chrono::seconds(20);  // a hang guard, far above what it takes
  Result<Response> r = transport.Send(request, &sink);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == ErrorCode::kTransport);
  CHECK(r.error().retryable());  // on a fresh connection, a server's slip may not recur
  CHECK(r.error().message() == "the answer from 127.0.0.1:" + std::to_string(server.port()) +
                                   " switches protocols (HTTP 101), which no request of ours "
                                   "asks for");
  CHECK(sink.data().empty());
}

TEST_CASE("CurlTransport refuses Content-Length headers that differ, whichever comes first") {
  for (const char* lengths : {"Content-Length: 5\r\nContent-Length: 9",
                              "Content-Length: 9\r\nContent-Length: 5", "Content-Length: 5, 9"}) {
    DYNAMIC_SECTION(lengths) {
      LoopbackServer server([lengths](const HttpRequest&, Connection& c) {
        c.Write("HTTP/1.1 200 OK\r\n" + std::string(lengths) + "\r\n\r\nhello1234");
        c.Close();
      });
      CurlTransport transport(TestOptions());
      MemorySink sink;
      Result<Response> r = transport.Send(Get(server.Url("/")), &sink);
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().code() == ErrorCode::kTransport);
      CHECK_FALSE(r.error().retryable());
      CHECK(r.error().message() == "the answer from 127.0.0.1:" + std::to_string(server.port()) +
                                       " has Content-Length headers that differ");
    }
  }
  LoopbackServer same([](const HttpRequest&, Connection& c) {
    c.Write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5 , 5\r\n\r\nhello");
  });
  CurlTransport transport(TestOptions());
  Result<Response> r = transport.Send(Get(same.Url("/")));
  REQUIRE(r.ok());
  CHECK(r->body == "hello");
}

TEST_CASE("CurlTransport refuses a Content-Length that is no length on the headers alone") {
  for (const char* length : {"18446744073709551621", "+5", "5x"}) {
    DYNAMIC_SECTION(length) {
      // 2^64 + 5: libcurl would read it as no length and wait for the close.
      LoopbackServer server([&server, length](const HttpRequest&, Connection& c) {
        c.Write("HTTP/1.1 200 OK\r\nContent-Length: " + std::string(length) + "\r\n\r\n");
        server.WaitForStop();
      });
      CurlTransport transport(TestOptions());
      MemorySink sink;
      auto start = std::chrono::steady_clock::now();
      Result<Response> r = transport.Send(Get(server.Url("/")), &sink);
      REQUIRE_FALSE(r.ok());
      CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
      CHECK(r.error().code() == ErrorCode::kTransport);
      CHECK_FALSE(r.error().retryable());
      CHECK(r.error().message() == "the answer from 127.0.0.1:" + std::to_string(server.port()) +
                                       " has a Content-Length that is no length (" + length + ")");
    }
  }
}

TEST_CASE("CurlTransport reads a folded header line as part of the field before it") {
  LoopbackServer server([](const HttpRequest&, Connection& c) {
    c.Write(
        "HTTP/1.1 200 OK\r\nETag:\r\n \"abc\"\r\nX-Amz-Meta-Note: a\r\n"
        "\tx-amz-checksum-sha256: AAAA\r\n  HTTP/1.1 500 Oops\r\nContent-Length: 5\r\n\r\nhello");
  });
  CurlTransport transport(TestOptions());
  Result<Response> r = transport.Send(Get(server.Url("/")));
  REQUIRE(r.ok());
  CHECK(r->body == "hello");
  CHECK(r->Header("etag") == "\"abc\"");
  CHECK(r->Header("x-amz-meta-note") == "a x-amz-checksum-sha256: AAAA HTTP/1.1 500 Oops");
  CHECK(r->Header("x-amz-checksum-sha256").empty());
}

TEST_CASE("CurlTransport stops endless headers at its limit") {
  LoopbackServer server([](const HttpRequest&, Connection& c) {
    c.Write("HTTP/1.1 200 OK\r\n");
    Endless(c, "X-Junk: " + std::string(1000, 'j') + "\r\n");
  });
  CurlTransport transport(TestOptions());
  Result<Response> r = transport.Send(Get(server.Url("/")));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == ErrorCode::kTransport);
  CHECK(r.error().message().ends_with("has more than 256.0 KiB of headers"));
}

TEST_CASE("CurlTransport counts endless informational answers against the header limit") {
  LoopbackServer server(
      [](const HttpRequest&, Connection& c) { Endless(c, "HTTP/1.1 100 Continue\r\n\r\n"); });
  CurlTransport transport(TestOptions());
  Result<Response> r = transport.Send(Get(server.Url("/")));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message().ends_with("has more than 256.0 KiB of headers"));
}

TEST_CASE("CurlTransport names a header line too long for libcurl as such") {
  LoopbackServer server([](const HttpRequest&, Connection& c) {
    c.Write("HTTP/1.1 200 OK\r\nX-Junk: ");
    Endless(c, std::string(65536, 'j'));
  });
  CurlTransport transport(TestOptions());
  Result<Response> r = transport.Send(Get(server.Url("/")));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == ErrorCode::kTransport);
  CHECK_FALSE(r.error().retryable());
  CHECK(r.error().message() ==
        "a header line from 127.0.0.1:" + std::to_string(server.port()) + " is over 100 KiB");
}

TEST_CASE("CurlTransport ends an endless error body at the start it keeps") {
  LoopbackServer server([](const HttpRequest&, Connection& c) {
    c.Write("HTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked\r\n\r\n");
    c.Write("1a\r\n<Error><Code>AccessDenied\r\n");
    Endless(c, "4000\r\n" + std::string(0x4000, 'm') + "\r\n");
  });
  CurlTransport transport(TestOptions());
  MemorySink sink;
  Result<Response> r = transport.Send(Get(server.Url("/")), &sink);
  REQUIRE(r.ok());
  CHECK(r->status == 403);
  CHECK(r->body.starts_with("<Error><Code>AccessDenied"));
  CHECK(r->body.size() == TestOptions().max_error_body);
}

TEST_CASE("CurlTransport does not decode a Content-Encoding it did not ask for") {
  const std::string gzip_bytes(
      "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00", 20);
  LoopbackServer server(Answer(200, gzip_bytes, {{"Content-Encoding", "gzip"}}));
  CurlTransport transport(TestOptions());
  MemorySink sink;
  Result<Response> r = transport.Send(Get(server.Url("/")), &sink);
  REQUIRE(r.ok());
  CHECK(sink.data() == gzip_bytes);
  REQUIRE(server.requests().size() == 1);
  bool asked = false;
  server.requests()[0].Header("accept-encoding", &asked);
  CHECK_FALSE(asked);
}

TEST_CASE("IsLinkLocalAddress knows where IMDS answers, in every form libcurl reports") {
  for (const char* ip : {"169.254.169.254", "169.254.0.1", "169.254.170.2", "fe80::1", "febf::1",
                         "fd00:ec2::254", "::ffff:169.254.169.254"}) {
    CHECK(IsLinkLocalAddress(ip));
  }
  for (const char* ip : {"127.0.0.1", "10.0.0.1", "169.253.1.1", "52.216.0.1", "fec0::1",
                         "fd00:ec2::253", "::1", "::ffff:10.0.0.1", "", "instance-data"}) {
    CHECK_FALSE(IsLinkLocalAddress(ip));
  }
}

TEST_CASE("CurlTransport sends a request that refuses link-local to any other address") {
  LoopbackServer server(Answer(200, "ok"));
  CurlTransport transport(TestOptions());
  Request request = Get(server.Url("/"));
  request.refuse_link_local = true;
  Result<Response> r = transport.Send(request);
  REQUIRE(r.ok());
  CHECK(r->body == "ok");
}

}  // namespace
}  // namespace s3us::net

#include "net/curl_transport.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <memory>

#include <cstdlib>
#include <thread>
#include <vector>

#include "core/crypto.h"
#include "core/interrupt.h"
#include "fakes/temp_dir.h"
#include "net/curl_test_util.h"
#include "net/loopback_server.h"
#include "net/sinks.h"
#include "net/verifying_sink.h"

namespace s3us::net {
namespace {

using s3us::testing::Connection;
using s3us::testing::HttpRequest;
using s3us::testing::LoopbackServer;
using std::chrono::milliseconds;

TEST_CASE("CurlTransport returns a 200 body in memory with its length") {
  LoopbackServer server(Answer(200, "hello, world"));
  CurlTransport transport(TestOptions());
  Result<Response> r = transport.Send(Get(server.Url("/greeting")));
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  CHECK(r->body == "hello, world");
  CHECK(r->body_bytes == 12);
  REQUIRE(server.requests().size() == 1);
  CHECK(server.requests()[0].method == "GET");
  CHECK(server.requests()[0].target == "/greeting");
}

TEST_CASE("CurlTransport streams a 2xx body to the sink and hashes it on the way") {
  std::string body(3 * 1024 * 1024 + 17, 'x');
  for (size_t i = 0; i < body.size(); i += 7) body[i] = static_cast<char>('a' + i % 26);
  LoopbackServer server(Answer(200, body));
  CurlTransport transport(TestOptions());
  MemorySink sink;
  Result<Response> r = transport.Send(Get(server.Url("/big")), &sink);
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  CHECK(r->body.empty());
  CHECK(sink.data() == body);
  CHECK(r->body_bytes == body.size());
}

TEST_CASE("CurlTransport streams into a FileSink that commits to the destination") {
  testing::TempDir tmp;
  const std::string& dir = tmp.path;
  std::string dest = dir + "/object";
  std::string body(1024 * 1024, 'z');
  LoopbackServer server(Answer(200, body));
  CurlTransport transport(TestOptions());
  Result<FileSink> sink = FileSink::Create(dest, 0600);
  REQUIRE(sink.ok());
  Result<Response> r = transport.Send(Get(server.Url("/obj")), &sink.value());
  REQUIRE(r.ok());
  CHECK(sink->bytes_written() == body.size());
  REQUIRE(sink->Commit().ok());
  Result<std::string> written = ReadFile(dest, 10 * 1024 * 1024);
  REQUIRE(written.ok());
  CHECK(*written == body);
}

TEST_CASE("CurlTransport treats a body shorter than Content-Length as a retryable error") {
  LoopbackServer server([](const HttpRequest&, Connection& c) {
    c.Write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b");
    c.Close();
  });
  CurlTransport transport(TestOptions());
  MemorySink sink;
  Result<Response> r = transport.Send(Get(server.Url("/short")), &sink);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == ErrorCode::kTransport);
  CHECK(r.error().retryable());
  CHECK(r.error().message().find("short body from 127.0.0.1:" + std::to_string(server.port())) ==
        0);
}

TEST_CASE(
    "CurlTransport shows the sink the head first: a Content-Length over the limit fails unread") {
  LoopbackServer server([](const HttpRequest&, Connection& c) {
    c.Write("HTTP/1.1 200 OK\r\nContent-Length: 1073741824\r\n\r\n" + std::string(4096, 'x'));
    c.Close();
  });
  CurlTransport transport(TestOptions());
  MemorySink sink;
  VerifyingSink verifier(1 << 20, &sink, false);
  Request request = Get(server.Url("/huge"));
  Result<Response> r = transport.Send(request, &verifier);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == ErrorCode::kLimitExceeded);
  CHECK_FALSE(r.error().retryable());
  CHECK(r.error().message() ==
        "object exceeds the size limit of 1.0 MiB (1048576 bytes): Content-Length is 1073741824");
  CHECK(sink.data().empty());
}

TEST_CASE("CurlTransport reports a refused connection as a retryable transport error") {
  int port = LoopbackServer::UnusedPort();
  CurlTransport transport(TestOptions());
  Request req = Get("http://127.0.0.1:" + std::to_string(port) + "/x?X-Amz-Signature=s3cr3t");
  req.headers = {{"Authorization", "AWS4-HMAC-SHA256 Signature=topsecret"}};
  Result<Response> r = transport.Send(req);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == ErrorCode::kTransport);
  CHECK(r.error().retryable());
  std::string text = r.error().ToString();
  CHECK(text.find("connecting to 127.0.0.1:" + std::to_string(port) + ": connection refused") == 0);
  CHECK(text.find("topsecret") == std::string::npos);
  CHECK(text.find("s3cr3t") == std::string::npos);
}

TEST_CASE("CurlTransport times out a stalled server as a retryable kTimeout") {
  LoopbackServer stalled([&stalled](const HttpRequest&, Connection&) { stalled.WaitForStop(); });
  CurlTransport transport(TestOptions());
  Request req = Get(stalled.Url("/slow"));
  req.timeout = milliseconds(200);
  auto start = std::chrono::steady_clock::now();
  Result<Response> r = transport.Send(req);
  auto took = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == ErrorCode::kTimeout);
  CHECK(r.error().retryable());
  CHECK(took < std::chrono::seconds(60));  // a hang guard: the server would hold it for ever
}

TEST_CASE("CurlTransport ends a transfer in flight at an interrupt and sends nothing after") {
  std::atomic<int> requests{0};
  LoopbackServer stalled([&](const HttpRequest&, Connection&) {
    ++requests;
    DeliverInterrupt(SIGINT);  // as the watcher would while the answer is awaited
    stalled.WaitForStop();
  });
  CurlTransport transport(TestOptions());
  Result<Response> r = transport.Send(Get(stalled.Url("/held")));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == ErrorCode::kInterrupted);
  CHECK_FALSE(r.error().retryable());
  CHECK(r.error().ToString().find("interrupted") != std::string::npos);
  Result<Response> after = transport.Send(Get(stalled.Url("/next")));
  REQUIRE_FALSE(after.ok());
  CHECK(after.error().code() == ErrorCode::kInterrupted);
  CHECK(requests == 1);
  ResetInterruptForTesting();
}

TEST_CASE("CurlTransport bounds an attempt by the deadline and then marks it final") {
  LoopbackServer stalled([&stalled](const HttpRequest&, Connection&) { stalled.WaitForStop(); });
  CurlTransport transport(TestOptions());
  Request req = Get(stalled.Url("/slow"));
  req.timeout = milliseconds(60000);
  req.deadline = Deadline::After(SystemClock::Get(), milliseconds(200));
  Result<Response> r = transport.Send(req);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == ErrorCode::kTimeout);
  CHECK_FALSE(r.error().retryable());
  CHECK_THAT(r.error().message(), Catch::Contains(": the deadline passed after "));
}

// A listening port whose accept queue is full: the kernel drops further SYNs, as a lost SYN
// or a blackholed path would, so a connect to it times out.
class BlackholedPort {
 public:
  BlackholedPort() {
    listen_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(listen_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(listen(listen_, 0) == 0);
    socklen_t len = sizeof addr;
    getsockname(listen_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    for (int i = 0; i < 3; ++i) {
      int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
      fillers_.push_back(fd);
    }
    std::this_thread::sleep_for(milliseconds(200));
  }
  ~BlackholedPort() {
    for (int fd : fillers_) close(fd);
    close(listen_);
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/x"; }

 private:
  int listen_ = -1;
  int port_ = 0;
  std::vector<int> fillers_;
};

TEST_CASE("CurlTransport keeps a connect timeout retryable while the deadline is far") {
  BlackholedPort blackholed;
  CurlTransportOptions options = TestOptions();
  options.connect_timeout = milliseconds(300);
  CurlTransport transport(options);
  Request req = Get(blackholed.Url());
  req.timeout = milliseconds(0);  // the attempt's cap is the rest of the deadline
  req.deadline = Deadline::After(SystemClock::Get(), std::chrono::seconds(60));
  Result<Response> r = transport.Send(req);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == ErrorCode::kTimeout);
  CHECK(r.error().retryable());
  CHECK_THAT(r.error().message(), Catch::StartsWith("connecting to 127.0.0.1:") &&
                                      Catch::Contains(": connect timed out after ") &&
                                      Catch::Contains(" (limit 300 ms)"));
}

TEST_CASE("CurlTransport keeps a stalled body retryable while the deadline is far") {
  LoopbackServer stalled([&stalled](const HttpRequest&, Connection& c) {
    c.Write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc");
    stalled.WaitForStop();
  });
  CurlTransportOptions options = TestOptions();
  options.low_speed_time = std::chrono::seconds(1);
  CurlTransport transport(options);
  Request req = Get(stalled.Url("/slow"));
  req.timeout = milliseconds(0);
  req.deadline = Deadline::After(SystemClock::Get(), std::chrono::seconds(60));
  Result<Response> r = transport.Send(req);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == ErrorCode::kTimeout);
  CHECK(r.error().retryable());
  CHECK_THAT(r.error().message(),
             Catch::Contains(": no data for 1 s (under 1024 bytes/s) after 3 of 100 body bytes, "
                             "after "));
}

TEST_CASE("CurlTransport ends a transfer in flight once its deadline is stopped") {
  auto stop = std::make_shared<std::atomic<bool>>(false);
  LoopbackServer stalled([&](const HttpRequest&, Connection&) {
    *stop = true;  // as the other fetch of a pair would on its failure
    stalled.WaitForStop();
  });
  CurlTransport transport(TestOptions());
  Request req = Get(stalled.Url("/sig"));
  req.timeout = milliseconds(60000);
  req.deadline = Deadline::After(SystemClock::Get(), milliseconds(60000)).StoppedBy(stop);
  Deadline bound = Deadline::After(SystemClock::Get(), milliseconds(10000));
  Result<Response> r = transport.Send(req);
  CHECK_FALSE(bound.Expired(SystemClock::Get()));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == ErrorCode::kTimeout);
  CHECK_FALSE(r.error().retryable());
}

TEST_CASE("CurlTransport does not send when the deadline has already passed") {
  LoopbackServer server(Answer(200, "x"));
  CurlTransport transport(TestOptions());
  Request req = Get(server.Url("/x"));
  req.deadline = Deadline(SystemClock::Get().Monotonic() - milliseconds(1));
  Result<Response> r = transport.Send(req);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == ErrorCode::kTimeout);
  CHECK_FALSE(r.error().retryable());
  CHECK(server.requests().empty());
}

TEST_CASE("CurlTransport lower-cases response header names and keeps their order") {
  LoopbackServer server(Answer(200, "",
                               {{"X-Amz-Request-Id", "ABC123"},
                                {"Content-Type", "text/plain"},
                                {"X-Amz-Meta-Two", " spaced value "}}));
  CurlTransport transport(TestOptions());
  Result<Response> r = transport.Send(Get(server.Url("/h")));
  REQUIRE(r.ok());
  CHECK(r->Header("x-amz-request-id") == "ABC123");
  CHECK(r->Header("content-type") == "text/plain");
  CHECK(r->Header("x-amz-meta-two") == "spaced value");
  CHECK(r->Header("X-Amz-Request-Id").empty());
  REQUIRE(r->headers.size() == 4);
  CHECK(r->headers[0].first == "x-amz-request-id");
  CHECK(r->headers[3].first == "content-length");
}

TEST_CASE("CurlTransport keeps a non-2xx body in the response while a sink is given") {
  const std::string error_doc = "<Error><Code>NoSuchKey</Code></Error>";
  LoopbackServer server(Answer(404, error_doc));
  CurlTransport transport(TestOptions());
  MemorySink sink;
  Result<Response> r = transport.Send(Get(server.Url("/missing")), &sink);
  REQUIRE(r.ok());
  CHECK(r->status == 404);
  CHECK(r->body == error_doc);
  CHECK(sink.data().empty());
}

TEST_CASE("CurlTransport keeps the start of a large non-2xx body and reads no further") {
  std::string body(100 * 1024, 'e');
  LoopbackServer server(Answer(500, body));
  CurlTransport transport(TestOptions());
  MemorySink sink;
  Result<Response> r = transport.Send(Get(server.Url("/err")), &sink);
  REQUIRE(r.ok());
  CHECK(r->status == 500);
  CHECK(r->body == body.substr(0, 64 * 1024));
  CHECK(sink.data().empty());
}

TEST_CASE("CurlTransport sends the path as is with its dot segments") {
  LoopbackServer server(Answer(200, ""));
  CurlTransport transport(TestOptions());
  REQUIRE(transport.Send(Get(server.Url("/a/../b/./c%2Fd"))).ok());
  REQUIRE(server.requests().size() == 1);
  CHECK(server.requests()[0].target == "/a/../b/./c%2Fd");
}

TEST_CASE("CurlTransport returns a redirect as is without following it") {
  LoopbackServer server(Answer(302, "", {{"Location", "/elsewhere"}}));
  CurlTransport transport(TestOptions());
  Result<Response> r = transport.Send(Get(server.Url("/start")));
  REQUIRE(r.ok());
  CHECK(r->status == 302);
  CHECK(r->Header("location") == "/elsewhere");
  CHECK(server.requests().size() == 1);
}

TEST_CASE("CurlTransport aborts the transfer with the sink's error") {
  LoopbackServer server(Answer(200, std::string(256 * 1024, 'b')));
  CurlTransport transport(TestOptions());
  MemorySink sink(1000);
  Result<Response> r = transport.Send(Get(server.Url("/big")), &sink);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == ErrorCode::kLimitExceeded);
  CHECK(sink.data().size() <= 1000);
}

TEST_CASE("CurlTransport reuses one connection for sequential requests") {
  LoopbackServer server(Answer(200, "again"));
  CurlTransport transport(TestOptions());
  for (int i = 0; i < 3; ++i) REQUIRE(transport.Send(Get(server.Url("/r"))).ok());
  CHECK(server.requests().size() == 3);
  CHECK(server.connections_accepted() == 1);
}

TEST_CASE("CurlTransport sends method and body and user agent and headers as given") {
  LoopbackServer server(Answer(200, "token"));
  CurlTransport transport(TestOptions());
  Request put = Get(server.Url("/latest/api/token"));
  put.method = "PUT";
  put.headers = {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}, {"X-Empty", ""}};
  REQUIRE(transport.Send(put).ok());
  Request post = Get(server.Url("/upload"));
  post.method = "POST";
  post.body = "payload bytes";
  post.headers = {{"Content-Type", "application/octet-stream"}};
  REQUIRE(transport.Send(post).ok());

  auto seen = server.requests();
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].method == "PUT");
  CHECK(seen[0].Header("x-aws-ec2-metadata-token-ttl-seconds") == "21600");
  CHECK(seen[0].Header("content-length") == "0");
  bool found = false;
  CHECK(seen[0].Header("x-empty", &found).empty());
  CHECK(found);
  seen[0].Header("content-type", &found);
  CHECK_FALSE(found);
  seen[0].Header("expect", &found);
  CHECK_FALSE(found);
  CHECK(seen[0].Header("user-agent") == "s3-user-script/" S3US_VERSION);
  CHECK(seen[1].method == "POST");
  CHECK(seen[1].body == "payload bytes");
  CHECK(seen[1].Header("content-type") == "application/octet-stream");
}

TEST_CASE("CurlTransport accepts a HEAD answer with Content-Length and no body") {
  LoopbackServer server([](const HttpRequest&, Connection& c) {
    c.Write("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\nETag: \"abc\"\r\n\r\n");
  });
  CurlTransport transport(TestOptions());
  Request head = Get(server.Url("/obj"));
  head.method = "HEAD";
  Result<Response> r = transport.Send(head);
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  CHECK(r->body_bytes == 0);
  CHECK(r->Header("content-length") == "5000");
}

TEST_CASE("CurlTransport rejects bad input before sending anything") {
  LoopbackServer server(Answer(200, ""));
  CurlTransport transport(TestOptions());
  struct Case {
    std::string url;
    Headers headers;
    ErrorCode code;
  };
  std::vector<Case> cases = {
      {server.Url("/x"), {{"X-Bad", "a\r\nInjected: yes"}}, ErrorCode::kInvalidInput},
      {server.Url("/x"), {{"Bad:Name", "v"}}, ErrorCode::kInvalidInput},
      {"not a url", {}, ErrorCode::kInvalidInput},
      {"ftp://127.0.0.1:" + std::to_string(server.port()) + "/x", {}, ErrorCode::kUnsupported},
      {"file:///etc/passwd", {}, ErrorCode::kUnsupported},
  };
  for (const Case& c : cases) {
    CAPTURE(c.url);
    Request req = Get(c.url);
    req.headers = c.headers;
    Result<Response> r = transport.Send(req);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == c.code);
  }
  CHECK(server.requests().empty());
}

}  // namespace
}  // namespace s3us::net

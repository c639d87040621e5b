// CurlTransport as shared infrastructure: many callers on one multi handle, connection
// limits, memory use for large bodies, and what it takes from the environment.
#include <sys/resource.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <map>
#include <thread>
#include <vector>

#include "core/secret.h"
#include "net/curl_test_util.h"
#include "net/curl_transport.h"
#include "net/loopback_server.h"
#include "net/sinks.h"

namespace s3us::net {
namespace {

using s3us::testing::Connection;
using s3us::testing::HttpRequest;
using s3us::testing::LoopbackServer;
using std::chrono::milliseconds;

TEST_CASE("CurlTransport runs 32 concurrent Send calls in parallel on one multi handle") {
  LoopbackServer server([&server](const HttpRequest& req, Connection& c) {
    server.WaitForInFlight(32, milliseconds(10000));
    c.Respond(200, req.target);
  });
  CurlTransportOptions options = TestOptions();
  options.max_host_connections = 32;
  CurlTransport transport(options);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 32; ++i) {
    threads.emplace_back([&, i] {
      std::string path = "/obj/" + std::to_string(i);
      Result<Response> r = transport.Send(Get(server.Url(path)));
      if (r.ok() && r->status == 200 && r->body == path) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok == 32);
  CHECK(server.max_in_flight() == 32);
  CHECK(server.connections_accepted() == 32);
}

TEST_CASE("CurlTransport queues transfers beyond max_host_connections and still completes") {
  LoopbackServer server([&server](const HttpRequest&, Connection& c) {
    server.WaitForInFlight(16, milliseconds(10000));
    c.Respond(200, "ok");
  });
  CurlTransport transport(TestOptions());  // default: 16 per host
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 32; ++i) {
    threads.emplace_back([&] {
      Result<Response> r = transport.Send(Get(server.Url("/q")));
      if (r.ok() && r->status == 200) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok == 32);
  CHECK(server.max_in_flight() == 16);
  CHECK(server.connections_accepted() <= 16);
}

TEST_CASE("CurlTransport sends through the proxy but never loopback, no_proxy or IMDS") {
  // The "proxy" records what reaches it; IMDS must not, loopback must not, others do.
  LoopbackServer proxy(Answer(200, "via proxy"));
  LoopbackServer direct(Answer(200, "direct"));
  CurlTransportOptions options = TestOptions();
  options.http_proxy = {proxy.Url(""), "http_proxy"};
  options.no_proxy = ".skip.test";
  CurlTransport transport(options);

  Result<Response> d = transport.Send(Get(direct.Url("/x")));
  Result<Response> p = transport.Send(Get("http://bucket.s3.example.test/key"));
  Request skipped = Get("http://a.skip.test/key");
  skipped.timeout = milliseconds(2000);
  Result<Response> s = transport.Send(skipped);
  // An IMDS request to a name only the proxy could reach: direct, so it cannot resolve.
  Request imds = Get("http://imds.example.test/latest/api/token");
  imds.direct = true;
  imds.timeout = milliseconds(2000);
  Result<Response> i = transport.Send(imds);

  REQUIRE(d.ok());
  CHECK(d->body == "direct");
  REQUIRE(p.ok());
  CHECK(p->body == "via proxy");
  CHECK_FALSE(s.ok());
  CHECK_FALSE(i.ok());
  auto seen = proxy.requests();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].target == "http://bucket.s3.example.test/key");
}

TEST_CASE("A redirect through the proxy is never sent to the metadata service by name") {
  // Through a proxy the connected address is the proxy's: the name itself is checked.
  LoopbackServer proxy(Answer(200, "via proxy"));
  CurlTransportOptions options = TestOptions();
  options.http_proxy = {proxy.Url(""), "http_proxy"};
  CurlTransport transport(options);
  for (const char* url : {"http://instance-data.ec2.internal/latest/meta-data/",
                          "http://INSTANCE-DATA./latest/meta-data/"}) {
    CAPTURE(url);
    Request hop = Get(url);
    hop.refuse_link_local = true;
    Result<Response> r = transport.Send(hop);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == ErrorCode::kUnsupported);
    CHECK(r.error().message().find("through the proxy 127.0.0.1:") != std::string::npos);
  }
  // The URL the caller named itself, and a redirect to any other name, still go through it.
  Result<Response> named = transport.Send(Get("http://instance-data.ec2.internal/x"));
  Request other = Get("http://origin.example.test/next");
  other.refuse_link_local = true;
  Result<Response> o = transport.Send(other);
  REQUIRE(named.ok());
  REQUIRE(o.ok());
  CHECK(o->body == "via proxy");
  CHECK(proxy.requests().size() == 2);
}

TEST_CASE("A proxy that cannot be reached is named in the error, without its password") {
  CurlTransportOptions options = TestOptions();
  options.https_proxy = {"http://user:hunter2@127.0.0.1:1", "HTTPS_PROXY"};
  CurlTransport transport(options);
  Result<Response> r = transport.Send(Get("https://bucket.s3.example.test/key"));
  REQUIRE_FALSE(r.ok());
  std::string m = r.error().message();
  CHECK(m.rfind("connecting to proxy 127.0.0.1:1 (from HTTPS_PROXY) for "
                "bucket.s3.example.test:443: connection refused",
                0) == 0);
  CHECK(m.find("hunter2") == std::string::npos);
  CHECK(r.error().retryable());
}

TEST_CASE("NoProxyMatches covers exact hosts, domain suffixes and *") {
  CHECK(NoProxyMatches("s3.example.com", "example.com"));
  CHECK(NoProxyMatches("s3.example.com", "a.test, .example.com"));
  CHECK(NoProxyMatches("EXAMPLE.com", "example.com"));
  CHECK(NoProxyMatches("anything", "*"));
  CHECK(NoProxyMatches("::1", kNeverProxied));
  CHECK_FALSE(NoProxyMatches("badexample.com", "example.com"));
  CHECK_FALSE(NoProxyMatches("example.com", "s3.example.com"));
  CHECK_FALSE(NoProxyMatches("example.com", ""));
}

TEST_CASE("CheckProxy refuses what libcurl cannot proxy through without quoting the URL") {
  for (const char* good : {"http://user:pw@proxy:3128", "proxy:3128", "https://proxy",
                           "socks5h://127.0.0.1:1080", "HTTP://proxy:8080/"}) {
    CAPTURE(good);
    CHECK(CheckProxy({good, "HTTPS_PROXY"}).ok());
  }
  CHECK(CheckProxy({"", "HTTPS_PROXY"}).ok());
  for (const char* bad : {"http://user:hunter2@proxy:3128x", "http://user:hunter2@proxy:312800",
                          "http://user:hunter2@proxy:31 28", "htp://user:hunter2@proxy:3128",
                          "ftp://user:hunter2@proxy:21", "http://user:hunter2@"}) {
    CAPTURE(bad);
    Status s = CheckProxy({bad, "https_proxy"});
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code() == ErrorCode::kInvalidInput);
    CHECK(s.error().message().rfind("https_proxy is not a usable proxy URL: ", 0) == 0);
    CHECK(s.error().message().find("hunter2") == std::string::npos);
    CHECK(s.error().message().find("proxy:") == std::string::npos);
  }
}

TEST_CASE("MergeNoProxy always adds IMDS and loopback to the user's list") {
  CHECK(MergeNoProxy("") == kNeverProxied);
  CHECK(MergeNoProxy(" example.com,.internal ") ==
        std::string(kNeverProxied) + ",example.com,.internal");
  CHECK(MergeNoProxy("*") == "*");
  CHECK(std::string(kNeverProxied).find("169.254.169.254") != std::string::npos);
  CHECK(std::string(kNeverProxied).find("fd00:ec2::254") != std::string::npos);
  // The ECS and EKS container credentials agents hand out credentials too.
  CHECK(NoProxyMatches("169.254.170.2", kNeverProxied));
  CHECK(NoProxyMatches("169.254.170.23", kNeverProxied));
  CHECK(NoProxyMatches("fd00:ec2::23", kNeverProxied));
}

TEST_CASE("CurlTransportOptions reads proxy variables as the AWS CLI (urllib) does") {
  std::map<std::string, std::string> env;
  auto read = [&env] {
    return CurlTransportOptions::FromEnvironment([&env](const char* name) -> const char* {
      auto it = env.find(name);
      return it == env.end() ? nullptr : it->second.c_str();
    });
  };
  env = {{"AWS_CA_BUNDLE", "/etc/ssl/custom.pem"},
         {"no_proxy", "a.example"},
         {"NO_PROXY", "b.example"},
         {"HTTPS_PROXY", "http://up:1"},
         {"HTTP_PROXY", "http://up:2"}};
  CurlTransportOptions o = read();
  CHECK(o.ca_bundle == "/etc/ssl/custom.pem");
  CHECK(o.no_proxy == "a.example");
  CHECK(o.https_proxy.url == "http://up:1");
  CHECK(o.https_proxy.variable == "HTTPS_PROXY");
  CHECK(o.http_proxy.url == "http://up:2");
  // The lower-case name wins, and set empty it turns the proxy off.
  env["https_proxy"] = "http://low:1";
  env["http_proxy"] = "";
  o = read();
  CHECK(o.https_proxy.url == "http://low:1");
  CHECK(o.https_proxy.variable == "https_proxy");
  CHECK(o.http_proxy.url.empty());
  // CGI: HTTP_PROXY may be a client's "Proxy:" header; http_proxy is still honoured.
  env.erase("http_proxy");
  env["REQUEST_METHOD"] = "GET";
  CHECK(read().http_proxy.url.empty());
  env["http_proxy"] = "http://low:2";
  CHECK(read().http_proxy.url == "http://low:2");
  env.clear();
  CHECK(read().ca_bundle.empty());
  CHECK(read().https_proxy.url.empty());
  // ALL_PROXY is not an AWS CLI variable.
  env["ALL_PROXY"] = "http://all:1";
  CHECK(read().https_proxy.url.empty());
}

TEST_CASE("A proxy's password is redacted as written, decoded and in its Basic header") {
  // A proxy answering 407 with the request echoed printed Proxy-Authorization: Basic ...
  std::map<std::string, std::string> env = {
      {"https_proxy", "http://puser:proxy%2Fpassw0rd@127.0.0.1:9"}};
  CurlTransportOptions::FromEnvironment([&env](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
  CHECK(RedactSecrets("a proxy%2Fpassw0rd b proxy/passw0rd c") == "a <redacted> b <redacted> c");
  // base64("puser:proxy/passw0rd")
  CHECK(RedactSecrets("Proxy-Authorization: Basic cHVzZXI6cHJveHkvcGFzc3cwcmQ=") ==
        "Proxy-Authorization: Basic <redacted>");
}

TEST_CASE("CurlTransport fails TLS verification against an unknown CA without retrying") {
  CurlTransportOptions options = TestOptions();
  options.ca_bundle = "/nonexistent/ca-bundle.pem";
  LoopbackServer server(Answer(200, ""));
  CurlTransport transport(options);
  Result<Response> r =
      transport.Send(Get("https://127.0.0.1:" + std::to_string(server.port()) + "/x"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code() == ErrorCode::kTransport);
  CHECK_FALSE(r.error().retryable());
}

// Counts and discards: stands for a sink that writes to disk.
class DiscardSink : public BodySink {
 public:
  Status Write(std::string_view chunk) override {
    bytes += chunk.size();
    return Ok();
  }
  Status Reset() override {
    bytes = 0;
    return Ok();
  }
  uint64_t bytes = 0;
};

long MaxRssKiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

TEST_CASE("CurlTransport streams a 256 MiB body to a sink with flat memory use") {
  constexpr uint64_t kSize = 256ull * 1024 * 1024;
  LoopbackServer server([](const HttpRequest&, Connection& c) {
    c.Write("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(kSize) + "\r\n\r\n");
    std::string chunk(256 * 1024, 'm');
    for (uint64_t sent = 0; sent < kSize; sent += chunk.size()) {
      if (!c.Write(chunk)) return;
    }
  });
  CurlTransport transport(TestOptions());
  long before = MaxRssKiB();
  DiscardSink sink;
  Request req = Get(server.Url("/huge"));
  req.timeout = milliseconds(120000);
  Result<Response> r = transport.Send(req, &sink);
  REQUIRE(r.ok());
  CHECK(sink.bytes == kSize);
  CHECK(r->body_bytes == kSize);
  CHECK(r->body.empty());
  CHECK(MaxRssKiB() - before < 32 * 1024);
}

TEST_CASE("CurlTransport caps a non-2xx body even without a sink") {
  LoopbackServer server(Answer(503, std::string(200 * 1024, 's')));
  CurlTransport transport(TestOptions());
  Result<Response> r = transport.Send(Get(server.Url("/busy")));
  REQUIRE(r.ok());
  CHECK(r->status == 503);
  CHECK(r->body.size() == transport.options().max_error_body);
  CHECK(r->body_bytes < 200 * 1024);  // the rest is left unread
}

TEST_CASE("CurlTransport finishes in-flight work before its destructor returns") {
  LoopbackServer server(Answer(200, "bye"));
  std::atomic<int> ok{0};
  {
    CurlTransport transport(TestOptions());
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) {
      threads.emplace_back([&] {
        if (transport.Send(Get(server.Url("/x"))).ok()) ++ok;
      });
    }
    for (auto& t : threads) t.join();
  }
  CHECK(ok == 8);
  CurlTransport second(TestOptions());  // global init happened once; a new one still works
  CHECK(second.Send(Get(server.Url("/y"))).ok());
}

}  // namespace
}  // namespace s3us::net

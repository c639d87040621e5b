// CurlTransport: the Transport over libcurl, one multi handle driven by one event-loop
// thread, shared by every caller.
//
// Send() is thread-safe and blocking: the caller's thread prepares an easy handle, hands
// it to the loop thread (curl_multi_wakeup) and waits for the result, so N concurrent
// requests cost about one round trip and connections are reused. Not responsible for
// retries (net/retry.h), signing (aws/) or deciding what an HTTP status means.
// TLS is always verified; there is no option to turn that off.
#ifndef S3US_NET_CURL_TRANSPORT_H_
#define S3US_NET_CURL_TRANSPORT_H_

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "core/clock.h"
#include "net/transport.h"

namespace s3us::net {

class CurlTransfer;

// A proxy taken from the environment; an empty url means direct.
struct ProxySetting {
  std::string url;       // as given (may hold user:password, never printed)
  std::string variable;  // the variable it came from, for messages: "HTTPS_PROXY"
};

struct CurlTransportOptions {
  // Time to establish TCP (and TLS). IMDS is on-link and S3 in-region: a healthy connect
  // takes milliseconds, so 3 s covers one lost SYN (1 s initial RTO) and leaves the rest
  // to the retry policy.
  std::chrono::milliseconds connect_timeout{3000};
  // A transfer slower than low_speed_limit bytes/s for low_speed_time is a kTimeout: this,
  // not a total cap, is what catches a stalled 1 GiB download.
  long low_speed_limit = 1024;
  std::chrono::seconds low_speed_time{30};
  // Per-attempt cap when Request::timeout is zero; zero means none (only the deadline
  // and the low-speed check bound the attempt), since large objects take what they take.
  std::chrono::milliseconds default_timeout{0};
  // Parallel connections per host (CURLMOPT_MAX_HOST_CONNECTIONS) and in total
  // (CURLMOPT_MAX_TOTAL_CONNECTIONS); further transfers queue inside libcurl.
  long max_host_connections = 16;
  long max_total_connections = 64;
  // Non-2xx bodies are kept in Response::body up to this size (S3 error documents are
  // well under 1 KiB); the transfer ends there, the rest unread (the connection closes).
  size_t max_error_body = 64 * 1024;
  // CA bundle file for TLS (CURLOPT_CAINFO); empty means libcurl's default store.
  std::string ca_bundle;
  // The user's no_proxy list. libcurl reads the proxy variables itself, but setting
  // CURLOPT_NOPROXY replaces its reading of no_proxy, so ours is merged with the hosts
  // that must never be proxied (IMDS and loopback).
  std::string no_proxy;
  // The proxies for http:// and https:// URLs, read as the AWS CLI reads them (see
  // FromEnvironment). Set explicitly on every transfer, so libcurl reads no variable itself
  // (it would honour ALL_PROXY, which the AWS CLI does not).
  ProxySetting http_proxy;
  ProxySetting https_proxy;
  // The clock Request::deadline is measured on.
  Clock* clock = &SystemClock::Get();

  // Defaults plus AWS_CA_BUNDLE and the proxy variables read from the environment (once,
  // here, so nothing later depends on the environment changing). As Python's urllib, and so
  // the AWS CLI: for each of http_proxy, https_proxy and no_proxy the lower-case name wins
  // when set (set empty, it turns the proxy off), else the upper-case one; HTTP_PROXY is
  // ignored when REQUEST_METHOD is set (a CGI context, where a client's "Proxy:" header
  // arrives as HTTP_PROXY: "httpoxy", CVE-2016-5385).
  using Getenv = std::function<const char*(const char*)>;
  static CurlTransportOptions FromEnvironment(const Getenv& getenv = nullptr);
};

// Hosts never sent through a proxy, whatever the environment says: IMDS, the ECS and EKS
// container credentials endpoints, loopback.
inline constexpr const char* kNeverProxied =
    "169.254.169.254,fd00:ec2::254,169.254.170.2,169.254.170.23,fd00:ec2::23,127.0.0.1,"
    "localhost,::1";

// The CURLOPT_NOPROXY value: kNeverProxied plus the user's list ("*" stays "*").
std::string MergeNoProxy(const std::string& user_no_proxy);

// Whether `host` (no port; IPv6 without brackets) is on a CURLOPT_NOPROXY style list:
// "*", or an entry equal to the host or a domain suffix of it ("example.com" and
// ".example.com" both cover "s3.example.com"). IP ranges are left to libcurl.
bool NoProxyMatches(std::string_view host, std::string_view list);

// Whether a numeric address (libcurl's primary IP) is link-local, where IMDS lives:
// 169.254.0.0/16, fe80::/10, fd00:ec2::254, and those IPv4 ones mapped into IPv6.
bool IsLinkLocalAddress(std::string_view ip);

// "proxy host:port (from HTTPS_PROXY)" for messages: never the user info or path.
std::string ProxyLabel(const ProxySetting& proxy);

// Whether a proxy from the environment is one libcurl can use (no scheme means http://): a
// scheme of http, https, socks4(a) or socks5(h), a host, a numeric port. kInvalidInput naming
// the variable otherwise, never its value (it may hold a password), so that a typo is one
// setup error before any request, not a retried connect whose message quotes the URL.
Status CheckProxy(const ProxySetting& proxy);

// "s3-user-script/<version>".
std::string UserAgent();

class CurlTransport : public Transport {
 public:
  // Cheap: libcurl is initialised and the loop thread started on the first Send().
  explicit CurlTransport(CurlTransportOptions options = CurlTransportOptions::FromEnvironment());
  // Joins the loop thread. REQUIRES: no Send() is still running.
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  // Errors: kTransport (retryable for resolve/connect/reset/short body; not for TLS),
  // kTimeout (retryable unless the deadline has passed), kInvalidInput (bad URL or
  // header), kUnsupported (scheme other than http/https), the sink's own error, kInternal.
  Result<Response> Send(const Request& request, BodySink* sink = nullptr) override;

  const CurlTransportOptions& options() const { return options_; }

 private:
  void Start();
  void Loop();
  // Hands a prepared transfer to the loop and waits until it is done.
  void RunOnLoop(CurlTransfer& transfer);

  CurlTransportOptions options_;
  std::string no_proxy_;
  struct Multi;
  std::unique_ptr<Multi> multi_;
  std::mutex mu_;
  std::deque<CurlTransfer*> pending_;  // guarded by mu_
  bool stopping_ = false;              // guarded by mu_
  std::once_flag started_;
  std::thread loop_;
};

}  // namespace s3us::net

#endif  // S3US_NET_CURL_TRANSPORT_H_

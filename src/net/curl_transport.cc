#include "net/curl_transport.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <unordered_set>

#include "core/crypto.h"
#include "core/interrupt.h"
#include "core/secret.h"
#include "core/strings.h"
#include "net/curl_handles.h"
#include "net/curl_transfer.h"

namespace s3us::net {

bool EnsureCurlGlobalInit() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] { ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; });
  return ok;
}

namespace {

// The lower-case variable when set (even empty), else the upper-case one unless ignored.
ProxySetting Pick(const CurlTransportOptions::Getenv& getenv, const char* lower, const char* upper,
                  bool ignore_upper) {
  if (const char* v = getenv(lower)) return {v, lower};
  const char* v = ignore_upper ? nullptr : getenv(upper);
  return v == nullptr ? ProxySetting{} : ProxySetting{v, upper};
}

// A proxy's password is a secret as any credential is: a proxy that echoes the request
// (a 407 page) would otherwise get it printed, as written, decoded, or in the Basic header
// libcurl sends (base64 of "user:password").
void RegisterProxySecrets(const ProxySetting& proxy) {
  if (proxy.url.empty()) return;
  std::string text = proxy.url.find("://") == std::string::npos ? "http://" + proxy.url : proxy.url;
  UrlHandle u(curl_url());
  if (!u ||
      curl_url_set(u.get(), CURLUPART_URL, text.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
    return;
  }
  auto part = [&u](CURLUPart what, unsigned flags) {
    char* value = nullptr;
    std::string out;
    if (curl_url_get(u.get(), what, &value, flags) == CURLUE_OK && value != nullptr) out = value;
    curl_free(value);
    return out;
  };
  std::string password = part(CURLUPART_PASSWORD, 0);
  if (password.empty()) return;
  std::string decoded = part(CURLUPART_PASSWORD, CURLU_URLDECODE);
  std::string basic = part(CURLUPART_USER, CURLU_URLDECODE) + ":" + decoded;
  RegisterSecretValue(password);
  RegisterSecretValue(decoded);
  RegisterSecretValue(Base64Encode(reinterpret_cast<const uint8_t*>(basic.data()), basic.size()));
}

}  // namespace

CurlTransportOptions CurlTransportOptions::FromEnvironment(const Getenv& getenv_fn) {
  Getenv getenv = getenv_fn ? getenv_fn : [](const char* name) { return std::getenv(name); };
  CurlTransportOptions o;
  if (const char* v = getenv("AWS_CA_BUNDLE")) o.ca_bundle = v;
  o.no_proxy = Pick(getenv, "no_proxy", "NO_PROXY", false).url;
  o.https_proxy = Pick(getenv, "https_proxy", "HTTPS_PROXY", false);
  o.http_proxy = Pick(getenv, "http_proxy", "HTTP_PROXY", getenv("REQUEST_METHOD") != nullptr);
  RegisterProxySecrets(o.https_proxy);
  RegisterProxySecrets(o.http_proxy);
  return o;
}

bool IsLinkLocalAddress(std::string_view ip) {
  std::string text(ip);
  std::array<unsigned char, 16> a{};
  if (inet_pton(AF_INET, text.c_str(), a.data()) == 1) return a[0] == 169 && a[1] == 254;
  if (inet_pton(AF_INET6, text.c_str(), a.data()) != 1) return false;
  static constexpr std::array<unsigned char, 16> kImds = {0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0,    0,
                                                          0,    0,    0,    0,    0, 0, 0x02, 0x54};
  bool v4_mapped = std::all_of(a.begin(), a.begin() + 10, [](unsigned char b) { return b == 0; }) &&
                   a[10] == 0xff && a[11] == 0xff;
  return (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) || a == kImds ||
         (v4_mapped && a[12] == 169 && a[13] == 254);
}

bool NoProxyMatches(std::string_view host, std::string_view list) {
  if (Trim(list) == "*") return true;
  for (std::string_view entry : Split(list, ',')) {
    entry = Trim(entry);
    if (!entry.empty() && entry.front() == '.') entry.remove_prefix(1);
    if (entry.empty()) continue;
    if (IEquals(host, entry)) return true;
    if (host.size() > entry.size() && host[host.size() - entry.size() - 1] == '.' &&
        IEquals(host.substr(host.size() - entry.size()), entry)) {
      return true;
    }
  }
  return false;
}

std::string ProxyLabel(const ProxySetting& proxy) {
  std::string where = "?";
  UrlHandle u(curl_url());
  if (u && curl_url_set(u.get(), CURLUPART_URL, proxy.url.c_str(),
                        CURLU_GUESS_SCHEME | CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK) {
    char* host = nullptr;
    char* port = nullptr;
    if (curl_url_get(u.get(), CURLUPART_HOST, &host, 0) == CURLUE_OK) where = host;
    if (curl_url_get(u.get(), CURLUPART_PORT, &port, 0) == CURLUE_OK)
      where += ":" + std::string(port);
    curl_free(host);
    curl_free(port);
  }
  return "proxy " + where + " (from " + proxy.variable + ")";
}

Status CheckProxy(const ProxySetting& proxy) {
  if (proxy.url.empty()) return Ok();
  auto unusable = [&proxy](const std::string& why) {
    return Error(ErrorCode::kInvalidInput, proxy.variable + " is not a usable proxy URL: " + why);
  };
  const bool has_scheme = proxy.url.find("://") != std::string::npos;
  const std::string text = has_scheme ? proxy.url : "http://" + proxy.url;
  UrlHandle u(curl_url());
  if (!u) return Error(ErrorCode::kInternal, "out of memory");
  if (CURLUcode rc = curl_url_set(u.get(), CURLUPART_URL, text.c_str(), CURLU_NON_SUPPORT_SCHEME);
      rc != CURLUE_OK) {
    return unusable(ToLower(curl_url_strerror(rc)));
  }
  char* scheme = nullptr;
  std::string name;
  if (curl_url_get(u.get(), CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK) name = ToLower(scheme);
  curl_free(scheme);
  static constexpr std::array<std::string_view, 6> kSchemes = {"http",    "https",  "socks4",
                                                               "socks4a", "socks5", "socks5h"};
  if (std::find(kSchemes.begin(), kSchemes.end(), name) == kSchemes.end()) {
    return unusable("its scheme is not http, https, socks4, socks4a, socks5 or socks5h");
  }
  return Ok();
}

std::string MergeNoProxy(const std::string& user_no_proxy) {
  std::string_view user = Trim(user_no_proxy);
  // libcurl honours "*" (no proxy at all) only when it is the whole list.
  if (user == "*") return "*";
  if (user.empty()) return kNeverProxied;
  return std::string(kNeverProxied) + "," + std::string(user);
}

std::string UserAgent() { return std::string("s3-user-script/") + S3US_VERSION; }

struct CurlTransport::Multi {
  MultiHandle handle;
  std::string init_error;  // empty when usable
};

CurlTransport::CurlTransport(CurlTransportOptions options)
    : options_(std::move(options)),
      no_proxy_(MergeNoProxy(options_.no_proxy)),
      multi_(std::make_unique<Multi>()) {}

// libcurl (and with it OpenSSL) is initialised and the loop thread started on the first
// exchange, so commands that fetch nothing never pay for them.
void CurlTransport::Start() {
  if (!EnsureCurlGlobalInit()) {
    multi_->init_error = "cannot initialise libcurl";
    return;
  }
  multi_->handle.reset(curl_multi_init());
  if (!multi_->handle) {
    multi_->init_error = "cannot create a libcurl multi handle";
    return;
  }
  CURLM* m = multi_->handle.get();
  curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, options_.max_host_connections);
  curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, options_.max_total_connections);
  // Keep as many idle connections as we may open, so a burst's connections are reused.
  curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, options_.max_total_connections);
  loop_ = std::thread([this] { Loop(); });
}

CurlTransport::~CurlTransport() {
  if (!loop_.joinable()) return;
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
  }
  curl_multi_wakeup(multi_->handle.get());
  loop_.join();
}

Result<Response> CurlTransport::Send(const Request& request, BodySink* sink) {
  std::call_once(started_, [this] { Start(); });
  if (!multi_->init_error.empty()) return Error(ErrorCode::kInternal, multi_->init_error);
  CurlTransfer transfer(request, sink, options_);
  if (Status s = transfer.Prepare(no_proxy_); !s.ok()) return std::move(s).error();
  RunOnLoop(transfer);
  return transfer.TakeResult();
}

void CurlTransport::RunOnLoop(CurlTransfer& transfer) {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stopping_) {
      transfer.Finish(kShutdownCode);
      return;
    }
    pending_.push_back(&transfer);
  }
  curl_multi_wakeup(multi_->handle.get());
  transfer.Wait();
}

// The only thread that touches the multi handle and, while they run, the easy handles and
// their callbacks (and so the callers' sinks). A transfer is removed from the multi handle
// before Finish() wakes its caller, who then owns it again.
void CurlTransport::Loop() {
  CURLM* m = multi_->handle.get();
  std::unordered_set<CurlTransfer*> active;
  for (;;) {
    std::deque<CurlTransfer*> incoming;
    bool stop = false;
    {
      std::lock_guard<std::mutex> l(mu_);
      incoming.swap(pending_);
      stop = stopping_;
    }
    if (stop) {
      for (CurlTransfer* t : active) {
        curl_multi_remove_handle(m, t->easy());
        t->Finish(kShutdownCode);
      }
      for (CurlTransfer* t : incoming) t->Finish(kShutdownCode);
      return;
    }
    // Interrupted: nothing more is fetched; every caller gets kInterrupted at once.
    const bool interrupted = InterruptSignal() != 0;
    if (interrupted) {
      for (CurlTransfer* t : active) {
        curl_multi_remove_handle(m, t->easy());
        t->Interrupt();
      }
      active.clear();
      for (CurlTransfer* t : incoming) t->Interrupt();
      incoming.clear();
    }
    for (CurlTransfer* t : incoming) {
      if (curl_multi_add_handle(m, t->easy()) == CURLM_OK) {
        active.insert(t);
      } else {
        t->Finish(CURLE_FAILED_INIT);
      }
    }

    // A stopped deadline is seen here, not by libcurl, whose timeout was set at the start.
    bool stoppable = false;
    for (auto it = active.begin(); it != active.end();) {
      CurlTransfer* t = *it;
      stoppable = stoppable || t->deadline_stoppable();
      if (!t->stopped()) {
        ++it;
        continue;
      }
      curl_multi_remove_handle(m, t->easy());
      it = active.erase(it);
      t->Finish(CURLE_OPERATION_TIMEDOUT);
    }
    int running = 0;
    curl_multi_perform(m, &running);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(m, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* easy = msg->easy_handle;
      CURLcode code = msg->data.result;  // msg is invalid once the handle is removed
      char* priv = nullptr;
      curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
      auto* t = reinterpret_cast<CurlTransfer*>(priv);
      curl_multi_remove_handle(m, easy);
      active.erase(t);
      t->Finish(code);
    }
    // Returns early on socket activity, libcurl's own timers, curl_multi_wakeup() or an
    // interrupt (its descriptor stays readable: watched only until it is seen).
    curl_waitfd interrupt{InterruptFd(), CURL_WAIT_POLLIN, 0};
    const unsigned watch = !interrupted && interrupt.fd >= 0 ? 1 : 0;
    // A transfer whose deadline may be stopped is looked at every 50 ms.
    const int poll_ms = stoppable ? 50 : 1000;
    if (curl_multi_poll(m, watch ? &interrupt : nullptr, watch, poll_ms, nullptr) != CURLM_OK) {
      // Only on resource exhaustion; do not spin a CPU the booting instance needs.
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
}

}  // namespace s3us::net

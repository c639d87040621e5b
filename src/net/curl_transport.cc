#include "net/curl_transport.h"

#include <chrono>
#include <cstdlib>
#include <mutex>
#include <unordered_set>

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

std::string Getenv(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

}  // namespace

CurlTransportOptions CurlTransportOptions::FromEnvironment() {
  CurlTransportOptions o;
  o.ca_bundle = Getenv("AWS_CA_BUNDLE");
  // libcurl's own order: the lower-case name first.
  o.no_proxy = Getenv("no_proxy");
  if (o.no_proxy.empty()) o.no_proxy = Getenv("NO_PROXY");
  return o;
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
    for (CurlTransfer* t : incoming) {
      if (curl_multi_add_handle(m, t->easy()) == CURLM_OK) {
        active.insert(t);
      } else {
        t->Finish(CURLE_FAILED_INIT);
      }
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
    // Returns early on socket activity, libcurl's own timers, or curl_multi_wakeup().
    if (curl_multi_poll(m, nullptr, 0, 1000, nullptr) != CURLM_OK) {
      // Only on resource exhaustion; do not spin a CPU the booting instance needs.
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
}

}  // namespace s3us::net

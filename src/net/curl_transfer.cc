#include "net/curl_transfer.h"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <new>
#include <optional>

#include "core/strings.h"
#include "net/curl_errors.h"
#include "net/verifying_sink.h"

namespace s3us::net {
namespace {

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

// RFC 9112 6.3: Content-Length headers with differing values leave the body's end unknown,
// whether on lines of their own or in one list ("18, 20": libcurl reads the first).
bool HasDifferingLengths(const Headers& headers) {
  std::optional<std::string_view> first;
  for (const auto& [name, value] : headers) {
    if (name != "content-length") continue;
    for (std::string_view item : Split(value, ',')) {
      if (first && Trim(item) != *first) return true;
      first = Trim(item);
    }
  }
  return false;
}

// A Content-Length that is no number (2^64 and more among them: libcurl then reads the body
// to the close, which on a kept-open connection is the deadline) leaves the body's end unknown.
std::optional<std::string_view> UnreadableLength(const Headers& headers) {
  for (const auto& [name, value] : headers) {
    if (name == "content-length" && !ParseContentLength(value)) return value;
  }
  return std::nullopt;
}

// "host:port" for messages, from libcurl's own URL parser so it agrees with what libcurl
// connects to. Never includes the path, query or user info.
Result<std::string> Endpoint(const std::string& url) {
  UrlHandle u(curl_url());
  if (!u) return Error(ErrorCode::kInternal, "out of memory parsing a url");
  if (curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return Error(ErrorCode::kInvalidInput, "malformed url");
  }
  char* scheme = nullptr;
  bool web = curl_url_get(u.get(), CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
             (std::string_view(scheme) == "http" || std::string_view(scheme) == "https");
  curl_free(scheme);
  if (!web) return Error(ErrorCode::kUnsupported, "only http and https urls are supported");
  char* host = nullptr;
  char* port = nullptr;
  std::string out;
  if (curl_url_get(u.get(), CURLUPART_HOST, &host, 0) == CURLUE_OK &&
      curl_url_get(u.get(), CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
    out = std::string(host) + ":" + port;
  }
  curl_free(host);
  curl_free(port);
  if (out.empty()) return Error(ErrorCode::kInvalidInput, "url without a host");
  return out;
}

// Whether a host a server named may be the instance metadata service, for a request that
// goes through a proxy: the proxy connects, so the connected-address check cannot see it.
// IMDS's documented names, and any name that resolves here to a link-local address (on EC2
// the proxy resolves it as we do). A name we cannot resolve is left to the proxy.
bool MayBeMetadataService(std::string_view host) {
  std::string name = ToLower(host);
  while (!name.empty() && name.back() == '.') name.pop_back();
  if (name == "instance-data" || name == "instance-data.ec2.internal") return true;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(name.c_str(), nullptr, &hints, &found) != 0) return false;
  bool link_local = false;
  for (addrinfo* a = found; a != nullptr && !link_local; a = a->ai_next) {
    char ip[NI_MAXHOST];
    if (getnameinfo(a->ai_addr, a->ai_addrlen, ip, sizeof ip, nullptr, 0, NI_NUMERICHOST) == 0) {
      link_local = IsLinkLocalAddress(ip);
    }
  }
  freeaddrinfo(found);
  return link_local;
}

}  // namespace

CurlTransfer::CurlTransfer(const Request& request, BodySink* sink,
                           const CurlTransportOptions& options)
    : request_(request), sink_(sink), options_(options) {}

// The proxy this request goes through, or null: IMDS (Request::direct) and no_proxy hosts
// are direct.
const ProxySetting* CurlTransfer::ProxyFor(const std::string& no_proxy) const {
  if (request_.direct) return nullptr;
  const ProxySetting& p =
      IStartsWith(request_.url, "https:") ? options_.https_proxy : options_.http_proxy;
  if (p.url.empty()) return nullptr;
  return NoProxyMatches(Host(), no_proxy) ? nullptr : &p;
}

std::string_view CurlTransfer::Host() const {
  std::string_view host(endpoint_);
  host = host.substr(0, host.rfind(':'));
  if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  return host;
}

Status CurlTransfer::Prepare(const std::string& no_proxy) {
  Result<std::string> endpoint = Endpoint(request_.url);
  if (!endpoint.ok()) return std::move(endpoint).error();
  endpoint_ = std::move(endpoint).value();

  // Per-attempt cap: the request's timeout (or the default), never past the deadline.
  std::chrono::milliseconds timeout =
      request_.timeout.count() > 0 ? request_.timeout : options_.default_timeout;
  started_ = options_.clock->Monotonic();
  if (request_.deadline.is_set()) {
    Clock::Duration remaining = request_.deadline.Remaining(*options_.clock);
    if (remaining.count() <= 0) {
      return Error(ErrorCode::kTimeout, "request to " + endpoint_ + ": deadline already passed");
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(remaining);
    timeout_is_deadline_ = timeout.count() <= 0 || left <= timeout;
    timeout = timeout_is_deadline_ ? left : timeout;
  }
  attempt_timeout_ = timeout;

  easy_.reset(curl_easy_init());
  if (!easy_) return Error(ErrorCode::kInternal, "cannot create a libcurl handle");
  CURL* h = easy_.get();
  bool ok = true;
  auto set = [&ok](CURLcode c) { ok = ok && c == CURLE_OK; };

  set(curl_easy_setopt(h, CURLOPT_URL, request_.url.c_str()));
  set(curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L));
  set(curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https"));
  set(curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L));
  set(curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L));
  set(curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer_.data()));
  set(curl_easy_setopt(h, CURLOPT_PRIVATE, static_cast<void*>(this)));
  set(curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L));
  set(curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L));
  if (!options_.ca_bundle.empty()) {
    set(curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_bundle.c_str()));
  }
  // Always set: "" means direct and stops libcurl from reading proxy variables itself.
  const ProxySetting* proxy = ProxyFor(no_proxy);
  if (proxy != nullptr) proxy_label_ = ProxyLabel(*proxy);
  if (proxy != nullptr && request_.refuse_link_local && MayBeMetadataService(Host())) {
    return Error(ErrorCode::kUnsupported,
                 "refusing to send to " + endpoint_ + " through the " + proxy_label_ +
                     ": it names the instance metadata service (a link-local address), named "
                     "by a server, not by the caller");
  }
  set(curl_easy_setopt(h, CURLOPT_PROXY, proxy == nullptr ? "" : proxy->url.c_str()));
  set(curl_easy_setopt(h, CURLOPT_NOPROXY, no_proxy.c_str()));
  std::string agent = UserAgent();
  set(curl_easy_setopt(h, CURLOPT_USERAGENT, agent.c_str()));  // libcurl copies strings
  set(curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L));
  set(curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                       static_cast<long>(options_.connect_timeout.count())));
  set(curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, options_.low_speed_limit));
  set(curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME,
                       static_cast<long>(options_.low_speed_time.count())));
  if (timeout.count() > 0) {
    set(curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count())));
  }
  set(curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &CurlTransfer::OnHeader));
  set(curl_easy_setopt(h, CURLOPT_HEADERDATA, static_cast<void*>(this)));
  set(curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &CurlTransfer::OnBody));
  set(curl_easy_setopt(h, CURLOPT_WRITEDATA, static_cast<void*>(this)));
  // A streamed body arrives in fewer, larger reads and callbacks than with libcurl's 16 KiB
  // (its pages are touched only as far as a read fills them, so small answers cost little).
  if (sink_ != nullptr) set(curl_easy_setopt(h, CURLOPT_BUFFERSIZE, kStreamBufferSize));
  if (request_.refuse_link_local) {
    set(curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, &CurlTransfer::OnConnected));
    set(curl_easy_setopt(h, CURLOPT_PREREQDATA, static_cast<void*>(this)));
  }

  bool has_body = request_.method != "GET" && request_.method != "HEAD";
  if (request_.method == "HEAD") {
    set(curl_easy_setopt(h, CURLOPT_NOBODY, 1L));
  } else if (has_body) {
    // POSTFIELDS gives an exact Content-Length (0 for a bodyless PUT such as the IMDS
    // token request); CUSTOMREQUEST then names the real method.
    set(curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(request_.body.size())));
    set(curl_easy_setopt(h, CURLOPT_POSTFIELDS, request_.body.data()));
    set(curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request_.method.c_str()));
  } else {
    set(curl_easy_setopt(h, CURLOPT_HTTPGET, 1L));
  }

  bool has_content_type = false;
  for (const auto& [name, value] : request_.headers) {
    if (name.empty() || HasLineBreak(name) || HasLineBreak(value) ||
        name.find(':') != std::string::npos) {
      return Error(ErrorCode::kInvalidInput, "invalid request header name or value");
    }
    has_content_type = has_content_type || IEquals(name, "content-type");
    // "Name;" is libcurl's way to send a header with an empty value.
    std::string line = value.empty() ? name + ";" : name + ": " + value;
    if (!headers_.Append(line.c_str())) return Error(ErrorCode::kInternal, "out of memory");
  }
  // No 100-continue round trip; no form content type that the caller did not ask for.
  if (!headers_.Append("Expect:")) return Error(ErrorCode::kInternal, "out of memory");
  if (has_body && !has_content_type && !headers_.Append("Content-Type:")) {
    return Error(ErrorCode::kInternal, "out of memory");
  }
  set(curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers_.get()));
  if (!ok) return Error(ErrorCode::kInternal, "cannot configure a libcurl handle");
  return Ok();
}

size_t CurlTransfer::OnHeader(char* data, size_t size, size_t count, void* self) noexcept {
  auto* t = static_cast<CurlTransfer*>(self);
  try {
    return t->Header(std::string_view(data, size * count));
  } catch (const std::bad_alloc&) {
    t->callback_error_ = Error(ErrorCode::kInternal, "out of memory receiving headers");
  } catch (...) {
    t->callback_error_ = Error(ErrorCode::kInternal, "unexpected exception receiving headers");
  }
  return 0;  // any other count aborts the transfer with CURLE_WRITE_ERROR
}

size_t CurlTransfer::OnBody(char* data, size_t size, size_t count, void* self) noexcept {
  auto* t = static_cast<CurlTransfer*>(self);
  try {
    return t->Body(std::string_view(data, size * count));
  } catch (const std::bad_alloc&) {
    t->callback_error_ = Error(ErrorCode::kInternal, "out of memory receiving a body");
  } catch (...) {
    t->callback_error_ = Error(ErrorCode::kInternal, "unexpected exception receiving a body");
  }
  return CURL_WRITEFUNC_ERROR;
}

// Connected, nothing sent yet: the last moment to refuse where the connection goes.
int CurlTransfer::OnConnected(void* self, char* primary_ip, char*, int, int) noexcept {
  auto* t = static_cast<CurlTransfer*>(self);
  try {
    if (!IsLinkLocalAddress(primary_ip)) return CURL_PREREQFUNC_OK;
    t->callback_error_ = Error(ErrorCode::kUnsupported,
                               "refusing to send to " + t->endpoint_ + " at " + primary_ip +
                                   ": a link-local address (where the instance metadata service "
                                   "answers) named by a server, not by the caller");
  } catch (...) {
    t->callback_error_ = Error(ErrorCode::kInternal, "unexpected exception checking an address");
  }
  return CURL_PREREQFUNC_ABORT;
}

size_t CurlTransfer::Header(std::string_view line) {
  header_bytes_ += line.size();
  if (header_bytes_ > kMaxHeaderBytes) {
    callback_error_ =
        Error(ErrorCode::kTransport, "the answer from " + endpoint_ + " has more than " +
                                         HumanBytes(kMaxHeaderBytes) + " of headers");
    return 0;
  }
  std::string_view trimmed = Trim(line);
  if (trimmed.empty()) {
    // We never ask to switch protocols: libcurl would read what follows a 101 as its body
    // until the server closes, a 30 s stall per attempt. Ended here, on a connection that
    // is closed; another attempt, on a fresh one, may get the answer.
    long status = 0;
    curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &status);
    if (status == 101) {
      callback_error_ = Error(ErrorCode::kTransport, "the answer from " + endpoint_ +
                                                         " switches protocols (HTTP 101), which "
                                                         "no request of ours asks for")
                            .set_retryable(true);
      return 0;
    }
    // The end of a head: its framing is checked before libcurl waits for a body.
    if (Status s = CheckHead(); !s.ok()) {
      callback_error_ = std::move(s).error();
      return 0;
    }
    return line.size();
  }
  // RFC 9112 5.2: a line starting with a space or tab continues the previous field's value
  // (obsolete line folding), read as one space; it is never a field of its own.
  if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
    if (!response_.headers.empty() && !trimmed.empty()) {
      std::string& value = response_.headers.back().second;
      if (!value.empty()) value += ' ';
      value += trimmed;
    }
    return line.size();
  }
  if (IStartsWith(trimmed, "HTTP/")) {
    // A new status line (after 100 Continue or a proxy's CONNECT): start over.
    response_.headers.clear();
    return line.size();
  }
  size_t colon = trimmed.find(':');
  if (colon == std::string_view::npos || colon == 0) return line.size();
  response_.headers.emplace_back(ToLower(Trim(trimmed.substr(0, colon))),
                                 std::string(Trim(trimmed.substr(colon + 1))));
  return line.size();
}

size_t CurlTransfer::Body(std::string_view chunk) {
  if (!status_known_) {
    long status = 0;
    curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &status);
    success_ = IsSuccessStatus(static_cast<int>(status));
    status_known_ = true;
    if (Status s = CheckHead(); !s.ok()) {
      callback_error_ = std::move(s).error();
      return CURL_WRITEFUNC_ERROR;
    }
    if (success_ && sink_ != nullptr) {
      response_.status = static_cast<int>(status);
      if (Status s = sink_->Begin(response_); !s.ok()) {
        callback_error_ = std::move(s).error();
        return CURL_WRITEFUNC_ERROR;
      }
    }
  }
  response_.body_bytes += chunk.size();
  if (success_ && sink_ != nullptr) {
    if (Status s = sink_->Write(chunk); !s.ok()) {
      callback_error_ = std::move(s).error();
      return CURL_WRITEFUNC_ERROR;
    }
  } else if (!success_) {
    // A non-2xx body: keep the start of it for error parsing, and read no further than
    // that (an endless error document would otherwise hold the transfer to the deadline).
    size_t room =
        options_.max_error_body - std::min(options_.max_error_body, response_.body.size());
    response_.body.append(chunk.substr(0, std::min(room, chunk.size())));
    if (chunk.size() >= room) {
      error_body_cut_ = true;
      return CURL_WRITEFUNC_ERROR;
    }
  } else {
    response_.body.append(chunk);
  }
  return chunk.size();
}

Status CurlTransfer::CheckHead() const {
  if (HasDifferingLengths(response_.headers)) {
    return Error(ErrorCode::kTransport,
                 "the answer from " + endpoint_ + " has Content-Length headers that differ");
  }
  if (std::optional<std::string_view> length = UnreadableLength(response_.headers)) {
    return Error(ErrorCode::kTransport, "the answer from " + endpoint_ +
                                            " has a Content-Length that is no length (" +
                                            Printable(*length, 80) + ")");
  }
  return Ok();
}

void CurlTransfer::Finish(CURLcode code) noexcept {
  code_ = code;
  done_.set_value();
}

Error CurlTransfer::MapFailure(CURLcode code) {
  CurlFailure f;
  f.code = code;
  f.endpoint = endpoint_;
  f.error_buffer = error_buffer_.data();
  f.ca_bundle = options_.ca_bundle;
  f.proxy = proxy_label_;
  f.timeout = attempt_timeout_;
  f.elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(options_.clock->Monotonic() - started_);
  f.connect_timeout = options_.connect_timeout;
  f.low_speed_limit = options_.low_speed_limit;
  f.low_speed_time = options_.low_speed_time;
  f.deadline_expired = request_.deadline.Expired(*options_.clock) ||
                       (timeout_is_deadline_ && f.elapsed >= attempt_timeout_);
  f.receiving_headers = !status_known_;
  if (easy_) {
    curl_easy_getinfo(easy_.get(), CURLINFO_OS_ERRNO, &f.os_errno);
    curl_off_t pretransfer = 0;  // µs until the request could go out; 0 if it never could
    curl_easy_getinfo(easy_.get(), CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
    f.connected = pretransfer > 0;
    curl_off_t received = 0;
    curl_off_t declared = -1;
    curl_easy_getinfo(easy_.get(), CURLINFO_SIZE_DOWNLOAD_T, &received);
    curl_easy_getinfo(easy_.get(), CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &declared);
    f.body_bytes = received;
    f.body_length = declared;
  }
  return MapCurlFailure(f);
}

Result<Response> CurlTransfer::TakeResult() {
  if (interrupted_)
    return Error(ErrorCode::kInterrupted, "request to " + endpoint_ + ": interrupted");
  if (callback_error_) return std::move(*callback_error_);
  if (code_ == kShutdownCode) {
    return Error(ErrorCode::kInternal, "request to " + endpoint_ + ": transport shut down");
  }
  if (code_ != CURLE_OK && !(code_ == CURLE_WRITE_ERROR && error_body_cut_)) {
    return MapFailure(code_);
  }

  long status = 0;
  curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &status);
  response_.status = static_cast<int>(status);
  if (Status s = CheckHead(); !s.ok()) return std::move(s).error();

  // libcurl reports most short bodies as CURLE_PARTIAL_FILE; this catches the rest.
  curl_off_t expected = -1;
  curl_easy_getinfo(easy_.get(), CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &expected);
  bool bodyless = request_.method == "HEAD" || status == 204 || status == 304 || error_body_cut_;
  if (!bodyless && expected >= 0 && response_.body_bytes < static_cast<uint64_t>(expected)) {
    return Error(ErrorCode::kTransport, "short body from " + endpoint_ + ": received " +
                                            std::to_string(response_.body_bytes) + " of " +
                                            std::to_string(expected) + " bytes")
        .set_retryable(true);
  }
  return std::move(response_);
}

}  // namespace s3us::net

// Transport: one HTTP exchange, nothing more — no retries, no redirects, no signing.
//
// Retries live in net/retry.h, signing and S3 repairs in aws/. A Response with any HTTP
// status is a success of the transport; only failures to exchange (DNS, connect, reset,
// timeout, short body, TLS) are errors (kTransport or kTimeout, retryable set where a retry
// can help). Implementations are thread-safe: Send() may be called from many threads at
// once and the implementation multiplexes them (libcurl multi handle, connection reuse).
#ifndef S3US_NET_TRANSPORT_H_
#define S3US_NET_TRANSPORT_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/error.h"

namespace s3us::net {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method = "GET";
  // Sent exactly as given (libcurl PATH_AS_IS): callers encode the path.
  std::string url;
  Headers headers;
  std::string body;
  // Per-attempt cap for the whole exchange; zero means the transport's default.
  std::chrono::milliseconds timeout{0};
  // The whole operation's deadline, retries included (see net/retry.h).
  Deadline deadline;
  // Never through a proxy, whatever the environment says: IMDS is link-local, and its
  // credentials must not pass through anything else.
  bool direct = false;
  // Not sent when the connection is to a link-local address (169.254.0.0/16, fe80::/10,
  // fd00:ec2::254: the instance metadata service): for URLs a server chose (a redirect),
  // never IMDS, whatever name or number form points there. Through a proxy, not sent to
  // IMDS's names or to a name that resolves here to a link-local address.
  bool refuse_link_local = false;
};

struct Response;

// Receives the body of a 2xx response as it streams in. Non-2xx bodies are always kept
// in Response::body (capped) so errors can be parsed. A transport may call the sink from
// its own thread (CurlTransport does, while Send() blocks): a sink must not call Send()
// and should not block for long, since other transfers wait meanwhile.
class BodySink {
 public:
  virtual ~BodySink() = default;
  // The 2xx answer's status and headers, once per attempt before its first Write (a body
  // of zero bytes may come without it). Lets a sink choose what to compute; decorators
  // pass it on.
  virtual Status Begin(const Response& head) {
    (void)head;
    return Ok();
  }
  // Returns an error to abort the transfer (e.g. size limit, disk full).
  virtual Status Write(std::string_view chunk) = 0;
  // Discards what was written: the transfer is being retried from the start.
  virtual Status Reset() = 0;
};

// 2xx: the answer carries the body asked for (a sink gets it; other bodies are errors).
inline bool IsSuccessStatus(int status) { return status >= 200 && status < 300; }

struct Response {
  int status = 0;
  Headers headers;          // names lower-cased, in arrival order
  std::string body;         // the body unless a sink took it
  uint64_t body_bytes = 0;  // bytes received (to the sink or to body)

  // First header with this lower-case name, or empty.
  std::string_view Header(std::string_view lower_name) const {
    for (const auto& [name, value] : headers) {
      if (name == lower_name) return value;
    }
    return {};
  }
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Performs one exchange. A body shorter than Content-Length is a kTransport error
  // (retryable), never a success.
  virtual Result<Response> Send(const Request& request, BodySink* sink = nullptr) = 0;
};

}  // namespace s3us::net

#endif  // S3US_NET_TRANSPORT_H_

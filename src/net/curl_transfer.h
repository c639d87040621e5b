// CurlTransfer: one HTTP exchange on one libcurl easy handle — setting the options,
// receiving headers and body (noexcept C callbacks), and turning the outcome into a
// Result<Response>. Knows nothing about threads or the multi handle (curl_transport.cc).
#ifndef S3US_NET_CURL_TRANSFER_H_
#define S3US_NET_CURL_TRANSFER_H_

#include <curl/curl.h>

#include <array>
#include <future>
#include <optional>
#include <string>

#include "net/curl_handles.h"
#include "net/curl_transport.h"
#include "net/transport.h"

namespace s3us::net {

// libcurl's receive buffer for a body that streams into a sink: under the 128 KiB mmap
// threshold main fixes, so that it comes from the heap. At 256 KiB every transfer mapped and
// unmapped it on the loop thread (17% of that thread's samples in a 128-include plan; an
// unmap in a process with hundreds of fetch threads interrupts every CPU they ran on).
inline constexpr long kStreamBufferSize = 120L << 10;

// All the header lines of one exchange, informational (1xx) answers included: an S3 answer
// has a few KiB. Past this the exchange fails, so endless headers cost bounded memory.
inline constexpr size_t kMaxHeaderBytes = size_t{256} << 10;

// The code a transfer is finished with when the transport shuts down under it.
inline constexpr CURLcode kShutdownCode = CURLE_ABORTED_BY_CALLBACK;

class CurlTransfer {
 public:
  CurlTransfer(const Request& request, BodySink* sink, const CurlTransportOptions& options);
  CurlTransfer(const CurlTransfer&) = delete;
  CurlTransfer& operator=(const CurlTransfer&) = delete;

  // Creates and configures the easy handle. `no_proxy` is the merged CURLOPT_NOPROXY.
  // Errors: kInvalidInput (URL, header), kTimeout (deadline already passed), kInternal.
  Status Prepare(const std::string& no_proxy);

  CURL* easy() const { return easy_.get(); }

  // Called by the loop thread when libcurl finished the transfer (or could not start it).
  void Finish(CURLcode code) noexcept;
  // Called by the loop thread instead when the run is interrupted (core/interrupt.h).
  void Interrupt() noexcept {
    interrupted_ = true;
    Finish(kShutdownCode);
  }
  // The request's deadline was stopped early (core/clock.h): the loop ends the transfer,
  // which then fails as at its deadline.
  bool stopped() const { return request_.deadline.stopped(); }
  bool deadline_stoppable() const { return request_.deadline.stoppable(); }
  // Blocks until Finish() has been called.
  void Wait() { done_.get_future().wait(); }

  // REQUIRES: Finish() happened. Consumes the transfer's response.
  Result<Response> TakeResult();

 private:
  static size_t OnHeader(char* data, size_t size, size_t count, void* self) noexcept;
  static size_t OnBody(char* data, size_t size, size_t count, void* self) noexcept;
  static int OnConnected(void* self, char* primary_ip, char* local_ip, int primary_port,
                         int local_port) noexcept;
  size_t Header(std::string_view line);
  size_t Body(std::string_view chunk);
  // The final answer's head, checked before its body is used: one framing only.
  Status CheckHead() const;
  Error MapFailure(CURLcode code);
  const ProxySetting* ProxyFor(const std::string& no_proxy) const;
  // The endpoint's host: no port, IPv6 without brackets.
  std::string_view Host() const;

  const Request& request_;
  BodySink* sink_;
  const CurlTransportOptions& options_;
  EasyHandle easy_;
  SList headers_;
  std::array<char, CURL_ERROR_SIZE> error_buffer_{};
  std::string endpoint_;     // "host:port" for messages
  std::string proxy_label_;  // "proxy host:port (from HTTPS_PROXY)" when one is used
  std::chrono::milliseconds attempt_timeout_{0};
  // The attempt's timeout is the rest of the deadline: when the attempt has run that long,
  // the deadline is spent (libcurl may fire a fraction of a millisecond before
  // Deadline::Expired() agrees). A connect or low-speed timeout before then is not.
  bool timeout_is_deadline_ = false;
  Clock::MonoTime started_{};  // on options_.clock, when the attempt's timeout was set

  Response response_;
  size_t header_bytes_ = 0;
  bool status_known_ = false;
  bool interrupted_ = false;
  bool success_ = false;                 // 2xx: the body goes to the sink, if any, uncapped
  bool error_body_cut_ = false;          // a non-2xx body reached max_error_body: not read on
  std::optional<Error> callback_error_;  // first error raised inside a callback
  CURLcode code_ = CURLE_OK;
  std::promise<void> done_;
};

}  // namespace s3us::net

#endif  // S3US_NET_CURL_TRANSFER_H_

// Turns a failed libcurl transfer (CURLcode plus what libcurl told us) into an Error with
// the code callers branch on and whether a retry may help. Pure: no handles, no I/O.
#ifndef S3US_NET_CURL_ERRORS_H_
#define S3US_NET_CURL_ERRORS_H_

#include <curl/curl.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "core/error.h"

namespace s3us::net {

struct CurlFailure {
  CURLcode code = CURLE_OK;
  std::string endpoint;                  // "host:port", never the path or query
  std::string error_buffer;              // libcurl's CURLOPT_ERRORBUFFER text, may be empty
  long os_errno = 0;                     // CURLINFO_OS_ERRNO
  std::chrono::milliseconds timeout{0};  // the attempt's total timeout, 0 if none
  std::chrono::milliseconds elapsed{0};  // how long the attempt ran, on the deadline's clock
  // The limits a timeout may come from besides `timeout`: the transport's options.
  std::chrono::milliseconds connect_timeout{0};
  long low_speed_limit = 0;  // bytes/s
  std::chrono::seconds low_speed_time{0};
  bool connected = false;          // the connection (TLS included) was up: the request went out
  bool deadline_expired = false;   // the request's Deadline has passed, not only a timer
  bool receiving_headers = false;  // no body byte arrived yet
  int64_t body_bytes = 0;          // body bytes received (CURLINFO_SIZE_DOWNLOAD_T)
  int64_t body_length = -1;        // the declared Content-Length, -1 when none
  std::string ca_bundle;           // AWS_CA_BUNDLE when set, else empty (the system store)
  std::string proxy;               // "proxy host:port (from HTTPS_PROXY)" when one was used
};

// kTransport (retryable: resolve, connect, send/receive, reset, partial body, empty reply;
// not retryable: TLS and anything unrecognised), kTimeout (retryable unless the deadline
// expired; it names the limit that fired and the time the attempt ran: the deadline, the
// connect timeout, the attempt's own timeout or the low-speed check), kInvalidInput
// (malformed URL), kUnsupported (protocol), kInternal (memory).
// The message is lower-case, names the endpoint and ends with libcurl's own text:
// "connecting to 127.0.0.1:8080: connection refused (failed to connect to ...)".
// TLS failures end with the knob that fixes them: the CA bundle in use (AWS_CA_BUNDLE or
// the system store) for certificate problems. Through a proxy, the message names it:
// "connecting to proxy 10.0.0.1:3128 (from HTTPS_PROXY) for s3.amazonaws.com:443: ...".
Error MapCurlFailure(const CurlFailure& failure);

}  // namespace s3us::net

#endif  // S3US_NET_CURL_ERRORS_H_

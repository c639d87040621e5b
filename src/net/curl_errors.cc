#include "net/curl_errors.h"

#include <cstring>

#include "core/strings.h"

namespace s3us::net {
namespace {

enum class Kind { kResolve, kConnect, kExchange, kTimeout, kTls, kProtocol, kUrl, kMemory, kOther };

Kind Classify(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return Kind::kResolve;
    case CURLE_COULDNT_CONNECT:
    case CURLE_PROXY:
      return Kind::kConnect;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_SHUTDOWN_FAILED:
      return Kind::kExchange;
    case CURLE_OPERATION_TIMEDOUT:
      return Kind::kTimeout;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED:
      return Kind::kTls;
    case CURLE_UNSUPPORTED_PROTOCOL:
      return Kind::kProtocol;
    case CURLE_URL_MALFORMAT:
      return Kind::kUrl;
    case CURLE_OUT_OF_MEMORY:
      return Kind::kMemory;
    default:
      return Kind::kOther;
  }
}

// "Failed to connect..." → "failed to connect...": our messages start lower-case; an
// acronym ("SSL certificate problem") is left as it is.
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
std::string LowerFirst(std::string s) {
  if (!s.empty() && IsUpper(s[0]) && !(s.size() > 1 && IsUpper(s[1]))) {
    s[0] = static_cast<char>(s[0] - 'A' + 'a');
  }
  return s;
}

// What to change when TLS fails: TLS is always verified, so the CA bundle is the knob.
std::string TlsHint(const CurlFailure& f) {
  std::string bundle = f.ca_bundle.empty() ? "the system CA store (package ca-certificates)"
                                           : "AWS_CA_BUNDLE=" + f.ca_bundle;
  switch (f.code) {
    case CURLE_SSL_CACERT_BADFILE:
      return "; the CA bundle could not be read: check " + bundle;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
      return "; the server's certificate is not trusted by " + bundle +
             " (set AWS_CA_BUNDLE to a file holding the CA that signs it)";
    default:
      return "";
  }
}

std::string Cause(const CurlFailure& f) {
  // The OS error is the most precise cause of connect/reset failures ("connection refused").
  if (f.os_errno != 0 && (Classify(f.code) == Kind::kConnect || f.code == CURLE_SEND_ERROR ||
                          f.code == CURLE_RECV_ERROR)) {
    return ToLower(std::strerror(static_cast<int>(f.os_errno)));
  }
  return ToLower(curl_easy_strerror(f.code));
}

// Through a proxy a resolve or connect failure is the proxy's (libcurl connects only to
// it); any other failure happened on the way through it.
std::string ThroughProxy(const CurlFailure& f, Kind kind, std::string what) {
  if (kind == Kind::kResolve) return "resolving " + f.proxy + " for " + f.endpoint;
  if (kind == Kind::kConnect) return "connecting to " + f.proxy + " for " + f.endpoint;
  return what + " via " + f.proxy;
}

std::string Millis(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

// Which limit ended a timed-out attempt. libcurl says "timeout was reached" for all of them;
// only the deadline is final, the others are one slow attempt that a retry may not repeat.
std::string TimeoutCause(const CurlFailure& f) {
  const std::string after = " after " + Millis(f.elapsed);
  if (f.deadline_expired) return "the deadline passed" + after;
  if (!f.connected)
    return "connect timed out" + after + " (limit " + Millis(f.connect_timeout) + ")";
  if (f.timeout.count() > 0 && f.elapsed >= f.timeout) {
    return "timed out" + after + " (attempt timeout " + Millis(f.timeout) + ")";
  }
  // Where the answer stalled: before its head, in its body, or after all the bytes it
  // declared (a server that keeps the answer open, as a Transfer-Encoding other than chunked
  // allows).
  std::string where;
  if (f.receiving_headers) {
    where = " waiting for the answer";
  } else if (f.body_length >= 0 && f.body_bytes >= f.body_length) {
    where = " after all " + std::to_string(f.body_bytes) +
            " body bytes declared: the answer did not end";
  } else if (f.body_length >= 0) {
    where = " after " + std::to_string(f.body_bytes) + " of " + std::to_string(f.body_length) +
            " body bytes";
  } else {
    where = " after " + std::to_string(f.body_bytes) + " body bytes";
  }
  return "no data for " + std::to_string(f.low_speed_time.count()) + " s (under " +
         std::to_string(f.low_speed_limit) + " bytes/s)" + where + "," + after;
}

}  // namespace

Error MapCurlFailure(const CurlFailure& f) {
  Kind kind = Classify(f.code);
  std::string what;
  ErrorCode code = ErrorCode::kTransport;
  bool retryable = false;
  switch (kind) {
    case Kind::kResolve:
      what = "resolving " + f.endpoint;
      retryable = true;
      break;
    case Kind::kConnect:
      what = "connecting to " + f.endpoint;
      retryable = true;
      break;
    case Kind::kExchange:
      what = f.code == CURLE_PARTIAL_FILE ? "short body from " + f.endpoint
                                          : "exchanging with " + f.endpoint;
      retryable = true;
      break;
    case Kind::kTimeout:
      code = ErrorCode::kTimeout;
      what = (f.connected || f.deadline_expired ? "request to " : "connecting to ") + f.endpoint;
      retryable = !f.deadline_expired;
      break;
    case Kind::kTls:
      what = "tls with " + f.endpoint;
      break;
    case Kind::kProtocol:
      code = ErrorCode::kUnsupported;
      what = "request to " + f.endpoint;
      break;
    case Kind::kUrl:
      code = ErrorCode::kInvalidInput;
      what = "request to " + f.endpoint;
      break;
    case Kind::kMemory:
      // libcurl reports a header line over its 100 KiB buffer as out of memory.
      code = f.receiving_headers ? ErrorCode::kTransport : ErrorCode::kInternal;
      what = f.receiving_headers ? "a header line from " + f.endpoint + " is over 100 KiB"
                                 : "request to " + f.endpoint;
      break;
    case Kind::kOther:
      what = "request to " + f.endpoint;
      break;
  }
  if (!f.proxy.empty()) what = ThroughProxy(f, kind, std::move(what));
  // The too-long header is the cause; libcurl's own "out of memory" would only mislead.
  const bool header_too_long = kind == Kind::kMemory && f.receiving_headers;
  std::string message =
      header_too_long ? what : what + ": " + (kind == Kind::kTimeout ? TimeoutCause(f) : Cause(f));
  if (!f.error_buffer.empty()) message += " (" + LowerFirst(f.error_buffer) + ")";
  if (kind == Kind::kTls) message += TlsHint(f);
  return Error(code, std::move(message)).set_retryable(retryable);
}

}  // namespace s3us::net

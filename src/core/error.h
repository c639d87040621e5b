// Error and Result<T>: how every layer reports failure.
//
// An Error carries a code that callers branch on (never the message text), a lower-case
// message naming the cause, and a context chain that each layer extends on the way up
// ("fetching s3://b/k: HTTP 403 AccessDenied: access denied"). Optional facts travel with
// it: the HTTP status, the AWS error code and request id, and whether a retry may help.
// Errors never hold secrets: callers pass redacted URLs and never put request headers in.
//
// Result<T> holds either a T or an Error (g++ 12 has no std::expected; the API follows it
// so a later switch is mechanical). Status is Result<void>.
#ifndef S3US_CORE_ERROR_H_
#define S3US_CORE_ERROR_H_

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace s3us {

enum class ErrorCode {
  kInvalidInput,   // malformed user data, URL, option or document
  kLimitExceeded,  // a configured size, depth or count limit was hit
  kNotFound,       // no such key, bucket, file, IMDS path
  kAccessDenied,   // 403 from S3, permission denied locally
  kNoCredentials,  // no credential source answered
  kExpiredCredentials,
  kWrongRegion,      // S3 named another region for the bucket
  kClockSkew,        // request time too far from the server's
  kThrottled,        // 429, SlowDown and friends
  kTransport,        // connect, reset, short body, TLS
  kTimeout,          // per-request timeout or overall deadline
  kHttp,             // any other unexpected HTTP status
  kIntegrity,        // no evidence a body is whole; a signature that does not verify
  kLengthMismatch,   // a body shorter or longer than the length its server declared
  kDigestMismatch,   // a body whose checksum, ETag MD5 or pinned SHA-256 differs
  kCycle,            // an include includes itself
  kUnsupported,      // a scheme, type or feature we do not handle
  kIo,               // local file system failure
  kUnsafePath,       // a symlink or foreign owner where a private path was expected
  kImdsUnavailable,  // IMDS disabled, unreachable or refusing tokens
  kHandlerFailed,    // a part's handler ran and failed
  kInterrupted,      // SIGINT, SIGTERM, SIGHUP or SIGQUIT ended the work (core/interrupt.h)
  kInternal,         // a bug
};

// Stable lower-case name of a code, for JSON and logs ("not-found").
std::string_view ErrorCodeName(ErrorCode code);

class Error {
 public:
  Error(ErrorCode code, std::string message);

  ErrorCode code() const { return code_; }
  // The innermost cause, without context.
  const std::string& message() const { return message_; }
  // Context from the outermost layer inward, joined with ": ", then the message.
  std::string ToString() const;

  // Prepends one layer of context ("fetching s3://b/k").
  Error& WithContext(std::string context) &;
  Error&& WithContext(std::string context) &&;

  int http_status() const { return http_status_; }
  const std::string& aws_code() const { return aws_code_; }
  const std::string& request_id() const { return request_id_; }
  bool retryable() const { return retryable_; }

  Error& set_http_status(int status) & {
    http_status_ = status;
    return *this;
  }
  Error&& set_http_status(int status) && {
    http_status_ = status;
    return std::move(*this);
  }
  Error& set_aws_code(std::string code) & {
    aws_code_ = std::move(code);
    return *this;
  }
  Error&& set_aws_code(std::string code) && {
    aws_code_ = std::move(code);
    return std::move(*this);
  }
  Error& set_request_id(std::string id) & {
    request_id_ = std::move(id);
    return *this;
  }
  Error&& set_request_id(std::string id) && {
    request_id_ = std::move(id);
    return std::move(*this);
  }
  Error& set_retryable(bool retryable) & {
    retryable_ = retryable;
    return *this;
  }
  Error&& set_retryable(bool retryable) && {
    retryable_ = retryable;
    return std::move(*this);
  }

 private:
  ErrorCode code_;
  std::string message_;
  std::vector<std::string> context_;  // innermost first
  int http_status_ = 0;
  std::string aws_code_;
  std::string request_id_;
  bool retryable_ = false;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(const T& value) : v_(std::in_place_index<0>, value) {}
  Result(T&& value) : v_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok()
  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // REQUIRES: !ok()
  Error& error() & {
    assert(!ok());
    return std::get<1>(v_);
  }
  const Error& error() const& {
    assert(!ok());
    return std::get<1>(v_);
  }
  Error&& error() && {
    assert(!ok());
    return std::get<1>(std::move(v_));
  }

  T value_or(T fallback) const& { return ok() ? value() : std::move(fallback); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  Error& error() & {
    assert(!ok_);
    return error_;
  }
  const Error& error() const& {
    assert(!ok_);
    return error_;
  }
  Error&& error() && {
    assert(!ok_);
    return std::move(error_);
  }

 private:
  Error error_{ErrorCode::kInternal, ""};
  bool ok_ = true;
};

using Status = Result<void>;

inline Status Ok() { return Status(); }

}  // namespace s3us

#endif  // S3US_CORE_ERROR_H_

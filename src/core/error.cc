#include "core/error.h"

namespace s3us {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidInput:
      return "invalid-input";
    case ErrorCode::kLimitExceeded:
      return "limit-exceeded";
    case ErrorCode::kNotFound:
      return "not-found";
    case ErrorCode::kAccessDenied:
      return "access-denied";
    case ErrorCode::kNoCredentials:
      return "no-credentials";
    case ErrorCode::kExpiredCredentials:
      return "expired-credentials";
    case ErrorCode::kWrongRegion:
      return "wrong-region";
    case ErrorCode::kClockSkew:
      return "clock-skew";
    case ErrorCode::kThrottled:
      return "throttled";
    case ErrorCode::kTransport:
      return "transport";
    case ErrorCode::kTimeout:
      return "timeout";
    case ErrorCode::kHttp:
      return "http";
    case ErrorCode::kIntegrity:
      return "integrity";
    case ErrorCode::kLengthMismatch:
      return "length-mismatch";
    case ErrorCode::kDigestMismatch:
      return "digest-mismatch";
    case ErrorCode::kCycle:
      return "cycle";
    case ErrorCode::kUnsupported:
      return "unsupported";
    case ErrorCode::kIo:
      return "io";
    case ErrorCode::kUnsafePath:
      return "unsafe-path";
    case ErrorCode::kImdsUnavailable:
      return "imds-unavailable";
    case ErrorCode::kHandlerFailed:
      return "handler-failed";
    case ErrorCode::kInterrupted:
      return "interrupted";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "internal";
}

Error::Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

std::string Error::ToString() const {
  std::string out;
  for (auto it = context_.rbegin(); it != context_.rend(); ++it) {
    out += *it;
    out += ": ";
  }
  out += message_;
  return out;
}

Error& Error::WithContext(std::string context) & {
  context_.push_back(std::move(context));
  return *this;
}

Error&& Error::WithContext(std::string context) && {
  context_.push_back(std::move(context));
  return std::move(*this);
}

}  // namespace s3us

#include "s3/errors.h"

#include "aws/aws_time.h"
#include "aws/regions.h"
#include "aws/xml.h"
#include "core/secret.h"
#include "core/strings.h"
#include "s3/endpoint.h"

namespace s3us::s3 {
namespace {

constexpr char kAccessDenied[] =
    "access denied (the key is missing or the role's policy does not allow s3:GetObject on it)";

// S3's own message, when shown: redacted, one line, bounded.
std::string Quote(std::string_view message) {
  std::string m = RedactSecrets(std::string(Trim(message)));
  for (char& c : m) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (m.size() > 200) m = m.substr(0, 200) + "…";
  return m;
}

constexpr char kTemporaryRedirect[] =
    "S3 redirected the request to another endpoint for now; redirects are not followed";

struct Mapping {
  std::string_view code;
  ErrorCode error;
  std::string_view message;
  bool retryable;
};

constexpr Mapping kMappings[] = {
    {"NoSuchKey", ErrorCode::kNotFound, "no such key in the bucket", false},
    {"NoSuchBucket", ErrorCode::kNotFound, "no such bucket", false},
    {"NoSuchVersion", ErrorCode::kNotFound, "no such version of the object", false},
    {"AccessDenied", ErrorCode::kAccessDenied, kAccessDenied, false},
    {"AllAccessDisabled", ErrorCode::kAccessDenied, "all access to this bucket is disabled", false},
    {"AccountProblem", ErrorCode::kAccessDenied, "the bucket owner's account has a problem", false},
    {"InvalidAccessKeyId", ErrorCode::kAccessDenied,
     "S3 does not know the access key id (deleted or wrong credentials)", false},
    {"SignatureDoesNotMatch", ErrorCode::kAccessDenied,
     "S3 computed another signature (the secret key does not belong to the access key id)", false},
    {"ExpiredToken", ErrorCode::kExpiredCredentials, "the session token has expired", false},
    {"TokenRefreshRequired", ErrorCode::kExpiredCredentials, "the session token must be refreshed",
     false},
    {"InvalidToken", ErrorCode::kExpiredCredentials, "the session token is not valid", false},
    {"RequestTimeTooSkewed", ErrorCode::kClockSkew,
     "the local clock differs from S3's by more than 15 minutes", false},
    {"RequestExpired", ErrorCode::kClockSkew, "the request time is too far from S3's clock", false},
    {"SlowDown", ErrorCode::kThrottled, "S3 asks to slow down", true},
    {"Throttling", ErrorCode::kThrottled, "S3 throttled the request", true},
    {"ThrottlingException", ErrorCode::kThrottled, "S3 throttled the request", true},
    {"RequestLimitExceeded", ErrorCode::kThrottled, "S3 throttled the request", true},
    {"TooManyRequestsException", ErrorCode::kThrottled, "S3 throttled the request", true},
    {"ServiceUnavailable", ErrorCode::kHttp, "S3 is unavailable", true},
    {"InternalError", ErrorCode::kHttp, "S3 had an internal error", true},
    {"RequestTimeout", ErrorCode::kTimeout, "S3 timed out waiting for the request", true},
    {"InvalidObjectState", ErrorCode::kUnsupported,
     "the object is archived and must be restored before it can be read", false},
    {"PermanentRedirect", ErrorCode::kWrongRegion, "the bucket is in another region", false},
    // Sent for a new bucket while DNS catches up, whatever its region: a region the
    // answer names was signed for once already (S3ClientImpl::RepairRegion).
    {"TemporaryRedirect", ErrorCode::kHttp, kTemporaryRedirect, false},
    {"IllegalLocationConstraintException", ErrorCode::kWrongRegion,
     "the bucket is in another region", false},
};

}  // namespace

S3ErrorInfo ParseS3Error(const net::Response& response) {
  S3ErrorInfo info;
  info.status = response.status;
  std::string_view body = response.body;
  size_t error_at = body.find("<Error>");
  std::string_view error =
      error_at == std::string_view::npos ? std::string_view() : body.substr(error_at);
  info.code = std::string(Trim(aws::XmlElement(error, "Code")));
  info.message = aws::XmlElement(error, "Message");
  info.request_id = aws::XmlElement(error, "RequestId");
  if (info.request_id.empty()) info.request_id = std::string(response.Header("x-amz-request-id"));
  // The region goes into the host name of the next request (and into messages): a value
  // that is no region name is no region at all.
  for (std::string candidate : {std::string(Trim(response.Header("x-amz-bucket-region"))),
                                std::string(Trim(aws::XmlElement(error, "Region"))),
                                RegionFromS3Host(Trim(aws::XmlElement(error, "Endpoint")))}) {
    if (aws::IsRegionName(candidate)) {
      info.region = std::move(candidate);
      break;
    }
  }
  info.server_time = aws::ParseIso8601(aws::XmlElement(error, "ServerTime"));
  if (!info.server_time) info.server_time = aws::ParseIso8601(response.Header("x-amz-date"));
  if (!info.server_time) info.server_time = aws::ParseHttpDate(response.Header("date"));
  return info;
}

Error MakeS3Error(const S3ErrorInfo& info) {
  std::string context = "HTTP " + std::to_string(info.status);
  if (!info.code.empty()) context += " " + info.code;
  if (!info.request_id.empty()) context += " (request id " + info.request_id + ")";

  ErrorCode code = ErrorCode::kHttp;
  std::string message;
  bool retryable = false;
  bool known = false;
  for (const Mapping& m : kMappings) {
    if (m.code == info.code) {
      code = m.error;
      message = m.message;
      retryable = m.retryable;
      known = true;
      break;
    }
  }
  if (info.code == "AuthorizationHeaderMalformed") {
    known = true;
    code = info.region.empty() ? ErrorCode::kHttp : ErrorCode::kWrongRegion;
    message = info.region.empty() ? "S3 rejected the authorization header"
                                  : "the request was signed for the wrong region";
  }
  if (!known) {
    int s = info.status;
    if (s == 404) {
      code = ErrorCode::kNotFound;
      message = "not found";
    } else if (s == 403) {
      code = ErrorCode::kAccessDenied;
      message = kAccessDenied;
    } else if (s == 301) {
      code = ErrorCode::kWrongRegion;
      message = "the bucket is in another region";
    } else if (s == 307) {
      message = kTemporaryRedirect;
    } else if (s == 429) {
      code = ErrorCode::kThrottled;
      message = "S3 throttled the request";
      retryable = true;
    } else {
      message = s >= 500 ? "S3 server error" : "unexpected answer from S3";
      retryable = s >= 500;
    }
    if (!info.message.empty()) message += ": " + Quote(info.message);
  }
  if (code == ErrorCode::kWrongRegion && !info.region.empty()) {
    message += " (" + info.region + ")";
  }
  // KMS refusals arrive as AccessDenied; S3's text is the only hint.
  if (info.code == "AccessDenied" && ToLower(info.message).find("kms") != std::string::npos) {
    message += "; S3 says: " + Quote(info.message);
  }
  return Error(code, std::move(message))
      .set_http_status(info.status)
      .set_aws_code(info.code)
      .set_request_id(info.request_id)
      .set_retryable(retryable)
      .WithContext(std::move(context));
}

}  // namespace s3us::s3

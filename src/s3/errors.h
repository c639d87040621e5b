// S3 error responses: the <Error> XML body and headers, and their mapping to a typed Error.
//
// Only the fields a client acts on are read (Code, Message, RequestId, Region, Endpoint,
// ServerTime). The debugging echoes S3 adds to signature errors (StringToSign,
// CanonicalRequest, SignatureProvided, AWSAccessKeyId, …) are never read, so they cannot
// reach a message. Pure.
#ifndef S3US_S3_ERRORS_H_
#define S3US_S3_ERRORS_H_

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/error.h"
#include "net/transport.h"

namespace s3us::s3 {

struct S3ErrorInfo {
  int status = 0;
  std::string code;        // "NoSuchKey"; empty for a body-less response
  std::string message;     // S3's Message, unescaped
  std::string request_id;  // <RequestId>, else x-amz-request-id
  std::string region;      // the first region name of x-amz-bucket-region, <Region>, <Endpoint>
  std::optional<Clock::WallTime> server_time;  // <ServerTime>, else x-amz-date, else Date
};

// Reads status, headers and (if any) the XML body of a non-2xx response.
S3ErrorInfo ParseS3Error(const net::Response& response);

// The typed error for a failed GetObject: code by S3 error code (else by status),
// aws_code, http status, request id, retryable for throttling and 5xx. Message lower-case
// and free of anything request-specific; context "HTTP 404 NoSuchKey (request id …)".
Error MakeS3Error(const S3ErrorInfo& info);

}  // namespace s3us::s3

#endif  // S3US_S3_ERRORS_H_

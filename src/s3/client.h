// S3Client: GetObject as an instance role does it, with every one-shot repair S3 needs.
//
// Signs with SigV4 (aws/sigv4.h), sends through a retrying transport, and repairs once
// each: a wrong region (re-sign for the region S3 names; cached per bucket), a skewed
// clock (offset from the server's time; re-sign), expired credentials (refresh; re-sign).
// S3 error XML becomes a typed Error (code, aws_code, request id; never the signature
// parts). Integrity, by the one streaming verifier (net/verifying_sink.h): Content-Length
// always; x-amz-checksum-sha256 / -crc32 when S3 returns them (checksum mode requested),
// else the ETag when it is a plain MD5; and the caller's expectations (a pin). Only the
// digests those checks need are computed. Thread-safe.
#ifndef S3US_S3_CLIENT_H_
#define S3US_S3_CLIENT_H_

#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "net/transport.h"
#include "net/verifying_sink.h"
#include "s3/location.h"

namespace s3us::s3 {

struct GetObjectRequest {
  S3Location location;            // bucket + key (+ version, region hint)
  net::BodySink* sink = nullptr;  // null: the body is returned in GetObjectResult::body
  uint64_t max_bytes = 0;         // 0: no limit; larger objects fail with kLimitExceeded
  Deadline deadline;
  // Digests the caller requires beyond what S3 declares (a sha256= pin).
  std::vector<net::Expectation> expectations;
  // GetObjectResult::sha256 even when no check needs that digest (a record of the bytes).
  bool record_sha256 = true;
};

struct GetObjectResult {
  std::string body;  // empty when a sink took it
  uint64_t size = 0;
  std::string sha256;  // hex, of the bytes received; empty when neither a check nor
                       // record_sha256 needed it
  std::string etag;    // without quotes
  std::string version_id;
  std::string region;       // the region the successful request was signed for
  std::string verified_by;  // "content-length, x-amz-checksum-sha256, sha256 pin"; may be empty
  std::string content_type;
  std::string last_modified;           // as S3 sent it (RFC 1123)
  std::string server_side_encryption;  // "AES256", "aws:kms", … or empty
  // Every x-amz-checksum-* header ("sha256" → base64 value), verified or only recorded.
  std::vector<std::pair<std::string, std::string>> checksums;
};

class S3Client {
 public:
  virtual ~S3Client() = default;
  virtual Result<GetObjectResult> GetObject(const GetObjectRequest& request) = 0;
};

}  // namespace s3us::s3

#endif  // S3US_S3_CLIENT_H_

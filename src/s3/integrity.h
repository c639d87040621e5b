// What an S3 GetObject answer declares about its body, as expectations for the one
// streaming verifier (net/verifying_sink.h): x-amz-checksum-sha256 / -crc32 when they hash
// the whole object, else the ETag's MD5 when it is one (single-part upload, neither SSE-KMS
// nor SSE-C). The verifier checks Content-Length itself.
//
// Checksums S3 sends but we cannot check (CRC32C, CRC64NVME, SHA1, composite multipart
// values) are recorded, not verified. Pure.
#ifndef S3US_S3_INTEGRITY_H_
#define S3US_S3_INTEGRITY_H_

#include <string>
#include <utility>
#include <vector>

#include "net/transport.h"
#include "net/verifying_sink.h"

namespace s3us::s3 {

// The checksums first, in header order; the ETag's MD5 last, as a fallback.
std::vector<net::Expectation> S3Expectations(const net::Response& head);

// Every x-amz-checksum-* header S3 sent (name without the prefix, value as sent).
std::vector<std::pair<std::string, std::string>> S3Checksums(const net::Response& head);

}  // namespace s3us::s3

#endif  // S3US_S3_INTEGRITY_H_

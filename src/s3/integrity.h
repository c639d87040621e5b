// What an S3 GetObject answer declares about its body, as expectations for the one
// streaming verifier (net/verifying_sink.h): every x-amz-checksum-* of the whole object
// (SHA-256, SHA-1, CRC32, CRC32C, CRC64NVME: S3's default for new objects, so multipart
// uploads are checked too), else the ETag's MD5 when it is one (single-part upload,
// neither SSE-KMS nor SSE-C). The verifier checks Content-Length itself.
//
// Composite multipart values (a checksum of the parts' checksums, "…-3") and algorithms
// we do not know are recorded, not verified. Pure.
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

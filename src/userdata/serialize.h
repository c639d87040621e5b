// SerializeMime: parts → one MIME multipart/mixed document that cloud-init (and our own
// parser) reads back as the same parts, byte-exact. Used by `resolve`.
//
// Every payload is base64-encoded (so any bytes survive), except the non-ASCII text of a part
// cloud-init holds as a str (Part::held_as_str), written unencoded as it came so that
// cloud-init types and reads it as it did the original; each part keeps its content type,
// filename, Launch-Index and Merge-Type (unfolded), and the origin of fetched parts is recorded in
// X-S3us-* headers (source URL without query, version, ETag, SHA-256, include chain), with
// non-ASCII and control bytes percent-encoded. An #include part that came out of an archive
// (Placement::kArchiveEntry) is written inside a one-entry #cloud-config-archive, so that
// cloud-init attaches it again without fetching it. The boundary is derived from the payloads,
// so the same parts always give the same document. Pure.
#ifndef S3US_USERDATA_SERIALIZE_H_
#define S3US_USERDATA_SERIALIZE_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

#include "userdata/part.h"

namespace s3us::userdata {

// Receives the document in pieces, in order.
using MimeWriter = std::function<Status(std::string_view bytes)>;

// Streams the document to `write`, file-backed payloads a chunk at a time. Errors: kIo (a
// payload's file), kInvalidInput (a part held as a str whose bytes are not UTF-8), or write's
// own.
Status WriteMime(const std::vector<Part>& parts, const MimeWriter& write);
// The document in memory (tests, small plans).
Result<std::string> SerializeMime(const std::vector<Part>& parts);

}  // namespace s3us::userdata

#endif  // S3US_USERDATA_SERIALIZE_H_

// Which route a URL takes through the fetcher, and how a plain-HTTP redirect is resolved.
// Pure string work: no I/O. The S3 spellings themselves are s3::LooksLikeS3's business.
#ifndef S3US_FETCH_ROUTE_H_
#define S3US_FETCH_ROUTE_H_

#include <string>
#include <string_view>

#include "core/error.h"

namespace s3us::fetch {

enum class Route {
  kS3,           // signed GetObject through s3::S3Client
  kPlain,        // unauthenticated GET through net::Transport
  kUnsupported,  // file://, ftp://, data:, anything else
};

// s3://, arn:…:s3:…, bare bucket names and https/http URLs on S3 hosts → kS3, except
// pre-signed S3 URLs (X-Amz-Signature / Signature in the query), which already carry their
// authorisation and go kPlain unchanged; other http(s) → kPlain; the rest → kUnsupported.
Route RouteOf(std::string_view url);

// True when the query string carries a SigV4 or SigV2 pre-signature.
bool IsPresignedUrl(std::string_view url);

// Lower-case scheme before "://", or empty.
std::string SchemeOf(std::string_view url);

// The URL requests sends for `url` (PreparedRequest.prepare_url: urllib3's parse_url, then
// requote_uri), as cloud-init's #include fetch and each redirect it follows send it. In path,
// query and fragment: "." and ".." segments resolved, each %xx upper-cased, bytes outside the
// component's RFC 3986 characters percent-encoded (" " is "%20", non-ASCII by its UTF-8
// bytes; every '%' is "%25" once one starts no %XX), then a %XX of an unreserved character
// decoded. Control bytes are left as they are, for the transport to refuse.
std::string RequestsUrl(std::string_view url);

// Resolves a Location header against the URL that answered (absolute, scheme-relative,
// absolute-path and relative forms). kUnsupported for a target that is not http(s), or
// that downgrades https to http.
Result<std::string> ResolveRedirect(std::string_view from, std::string_view location);

}  // namespace s3us::fetch

#endif  // S3US_FETCH_ROUTE_H_

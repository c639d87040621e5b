// Target: what one include line (or a `get` argument) names, worked out once: the route it
// takes and, for S3 in any spelling, the parsed location with its version. The fetcher
// takes this type, so neither expansion nor a route parses the URL again; a new URL form
// is taught here and in s3::ParseS3Location only.
#ifndef S3US_FETCH_TARGET_H_
#define S3US_FETCH_TARGET_H_

#include <string>
#include <string_view>

#include "core/error.h"
#include "fetch/route.h"
#include "s3/location.h"

namespace s3us::fetch {

struct Target {
  std::string url;  // trimmed, as written (unredacted: pre-signed URLs need their query)
  Route route = Route::kUnsupported;
  // Any S3 spelling (a pre-signed one too, though it routes kPlain): the location, or why
  // it is none.
  Result<s3::S3Location> s3 = Error(ErrorCode::kInvalidInput, "not an S3 location");

  // The same object gets the same identity in every spelling, and different objects
  // different ones: "s3://bucket/key" (the key's '%' and '?' percent-encoded) plus
  // "?versionId=…" for S3 locations with a key; the URL for anything else.
  std::string Identity() const;
};

// Pure: no I/O.
Target ResolveTarget(std::string_view url);

}  // namespace s3us::fetch

#endif  // S3US_FETCH_TARGET_H_

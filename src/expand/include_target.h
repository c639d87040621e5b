// What one include entry points at, resolved once into the fetcher's Target (a bucket-only
// #s3-include entry gets the role-default key); its identity detects include cycles.
// Pure: no I/O.
#ifndef S3US_EXPAND_INCLUDE_TARGET_H_
#define S3US_EXPAND_INCLUDE_TARGET_H_

#include <string>
#include <string_view>

#include "core/error.h"
#include "core/instance.h"
#include "fetch/target.h"

namespace s3us::expand {

// The entry as a Target. For a #s3-include entry (`s3_include`) the location must be S3;
// a bucket alone (any spelling: "b", "s3://b", "s3://b/", an https bucket URL, a bucket or
// access-point ARN) gets the templated key in its parsed location, and its URL shows the
// same spelling with the key appended, ?versionId= kept. kInvalidInput when an
// #s3-include entry is not an S3 location or the template cannot be filled.
Result<fetch::Target> ResolveIncludeTarget(std::string_view entry, bool s3_include,
                                           std::string_view key_template,
                                           const InstanceFacts& facts);

// The same object gets the same identity in every spelling: "s3://bucket/key" plus
// "?versionId=…" for S3 locations; the trimmed URL for anything else.
std::string IncludeIdentity(std::string_view url);

}  // namespace s3us::expand

#endif  // S3US_EXPAND_INCLUDE_TARGET_H_

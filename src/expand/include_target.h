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

// The entry as a Target; for a #s3-include entry (`s3_include`) the same rules as
// ResolveS3IncludeUrl, with the location parsed once.
Result<fetch::Target> ResolveIncludeTarget(std::string_view entry, bool s3_include,
                                           std::string_view key_template,
                                           const InstanceFacts& facts);

// For a #s3-include entry: the entry itself when it names a key; for a bucket name alone
// (any spelling: "b", "s3://b", "s3://b/", an https bucket URL, a bucket or access-point
// ARN) the same spelling with the templated key appended, ?versionId= kept.
// kInvalidInput when the entry is not an S3 location or the template cannot be filled.
Result<std::string> ResolveS3IncludeUrl(std::string_view entry, std::string_view key_template,
                                        const InstanceFacts& facts);

// The same object gets the same identity in every spelling: "s3://bucket/key" plus
// "?versionId=…" for S3 locations; the trimmed URL for anything else.
std::string IncludeIdentity(std::string_view url);

}  // namespace s3us::expand

#endif  // S3US_EXPAND_INCLUDE_TARGET_H_

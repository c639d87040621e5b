// What one include entry points at: the URL to fetch (a bucket-only #s3-include entry gets
// the role-default key) and the identity used to detect include cycles. Pure: no I/O.
#ifndef S3US_EXPAND_INCLUDE_TARGET_H_
#define S3US_EXPAND_INCLUDE_TARGET_H_

#include <string>
#include <string_view>

#include "core/error.h"
#include "core/instance.h"

namespace s3us::expand {

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

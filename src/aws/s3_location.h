// S3Location: which object a user meant, from every spelling users write.
//
// Accepted: s3://bucket/key, https virtual-hosted (bucket.s3.region.amazonaws.com,
// bucket.s3.amazonaws.com, bucket.s3-region.amazonaws.com, dualstack/fips forms),
// path-style https (s3.region.amazonaws.com/bucket/key), arn:aws:s3:::bucket/key (and
// other partitions), access-point ARNs, and a bare bucket ("my-bucket", "s3://my-bucket/")
// meaning "no key given" (the caller fills in the role-default key). "?versionId=" is
// kept. Keys are exact: percent-decoded once from URLs, never normalised ("a//b", "./",
// ".." stay). Pure: no I/O.
#ifndef S3US_AWS_S3_LOCATION_H_
#define S3US_AWS_S3_LOCATION_H_

#include <string>
#include <string_view>

#include "core/error.h"

namespace s3us::aws {

struct S3Location {
  std::string bucket;
  std::string key;               // decoded; empty when only a bucket was named
  std::string version_id;        // empty unless given
  std::string region;            // from the URL or ARN; empty when the URL does not say
  std::string partition;         // from an ARN; empty otherwise
  std::string access_point_arn;  // set for access-point ARNs (bucket holds the AP name)

  bool has_key() const { return !key.empty(); }
  // s3://bucket/key (no version, no query): for messages and cycle detection.
  std::string ToS3Url() const;
};

// True when `text` looks like something ParseS3Location should handle (s3://, arn:…:s3:,
// an S3 https host, or a bare bucket name).
bool LooksLikeS3(std::string_view text);

// kInvalidInput with a message naming what is wrong.
Result<S3Location> ParseS3Location(std::string_view text);

}  // namespace s3us::aws

#endif  // S3US_AWS_S3_LOCATION_H_

// S3Location: which object a user meant, from every spelling users write.
//
// Accepted: s3://bucket/key, https virtual-hosted (bucket.s3.region.amazonaws.com,
// bucket.s3.amazonaws.com, bucket.s3-region.amazonaws.com, dualstack/fips forms),
// path-style https (s3.region.amazonaws.com/bucket/key), arn:aws:s3:::bucket/key (and
// other partitions), access-point ARNs, and a bare bucket ("my-bucket", "s3://my-bucket/")
// meaning "no key given" (the caller fills in the role-default key). "?versionId=" is
// kept. Keys are exact: percent-decoded once from https URLs only (s3:// URLs and ARNs are
// literal, as in the AWS CLI), never normalised ("a//b", "./", ".." stay). Pure: no I/O;
// the caller trims the line it read.
#ifndef S3US_S3_LOCATION_H_
#define S3US_S3_LOCATION_H_

#include <string>
#include <string_view>

#include "core/error.h"

namespace s3us::s3 {

struct S3Location {
  std::string bucket;
  std::string key;               // decoded; empty when only a bucket was named
  std::string version_id;        // empty unless given
  std::string region;            // from the URL or ARN; empty when the URL does not say
  std::string partition;         // "aws", "aws-cn", "aws-us-gov"...: from an ARN or an
                                 // https host; empty for s3:// and bare buckets
  std::string access_point_arn;  // set for access-point ARNs (bucket holds the AP name)
  std::string account_id;        // access points only
  bool fips = false;             // the https host was an s3-fips endpoint
  bool dualstack = false;        // the https host was a dualstack endpoint

  bool has_key() const { return !key.empty(); }
  // s3://bucket/key (no version, no query): for messages and cycle detection. Access
  // points give their ARN form instead (arn:…:accesspoint/name/object/key), since the
  // name alone is not unique.
  std::string ToS3Url() const;
};

// True when `text` looks like something ParseS3Location should handle (s3://, arn:…:s3:,
// an http(s) URL whose host is an S3 endpoint, whatever its path and query say, or a bare
// bucket name).
bool LooksLikeS3(std::string_view text);

// kInvalidInput with a message naming what is wrong; kUnsupported for forms we recognise
// but do not handle (website endpoints, Outposts, Object Lambda, multi-region access
// points, S3 Express directory buckets). Messages never include a URL's query string.
//
// In s3:// URLs a trailing "?versionId=V" (V made of letters, digits, '.', '_', '-') is
// taken as a version; any other '?' is part of the key.
Result<S3Location> ParseS3Location(std::string_view text);

// `location` (one that names no key) with `key`, exactly as given: a key filled in from
// a template goes into the parsed location, not into a URL to be parsed again.
// kInvalidInput for an empty key or one longer than 1024 bytes.
Result<S3Location> WithKey(S3Location location, std::string key);

// Checks a general-purpose bucket name as botocore does: 3-255 characters of a-z, A-Z, 0-9,
// '.', '-' and '_' (botocore takes 1-255; S3 never had a shorter name). Today's rules are
// stricter, but buckets made in us-east-1 before March 2018 may have upper case, '_', up to
// 255 characters (IsLegacyBucketName); a virtual-hosted https URL must meet today's rules.
// kInvalidInput names the bucket and the rule ("invalid bucket name 'my bucket': only a-z,
// 0-9, '.' and '-' are allowed (also A-Z and '_' in a name from before March 2018)");
// kUnsupported for S3 Express directory buckets ("--x-s3").
Status ValidateBucketName(std::string_view bucket);

// A valid name that today's rules refuse ("My_Bucket", 64-255 characters): only us-east-1
// ever allowed such names (before March 2018), and S3 serves them path-style only.
bool IsLegacyBucketName(std::string_view bucket);

}  // namespace s3us::s3

#endif  // S3US_S3_LOCATION_H_

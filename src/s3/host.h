// S3 endpoint host names: which labels of "BUCKET.s3.REGION.amazonaws.com" (and its
// legacy, FIPS, dual-stack, accelerate and access-point relatives, in every partition's
// domain) are the bucket, the service and the region.
//
// Not responsible for paths, keys or queries (s3_location.h). Pure.
#ifndef S3US_S3_HOST_H_
#define S3US_S3_HOST_H_

#include <string>
#include <string_view>

#include "core/error.h"

namespace s3us::s3 {

struct S3Host {
  std::string bucket_label;  // the labels before the service label; empty for path-style
  std::string region;        // empty when the host does not say (s3.amazonaws.com)
  std::string partition;     // "aws", "aws-cn", "aws-us-gov", "aws-iso"...
  bool fips = false;
  bool dualstack = false;
  bool access_point = false;  // NAME-ACCOUNT.s3-accesspoint.REGION…
};

// `host` is lower-case without a port. kInvalidInput when it is not an S3 endpoint
// ("not an S3 host", "unexpected host"); kUnsupported for website, Outposts, Object
// Lambda, control and S3 Express endpoints.
Result<S3Host> ParseS3Host(std::string_view host);

}  // namespace s3us::s3

#endif  // S3US_S3_HOST_H_

// S3 request URLs: which host and path a GetObject goes to, for a bucket, key and region.
//
// Virtual-hosted (bucket.s3.region.domain/key) by default; path-style (s3.region.domain/
// bucket/key) for bucket names that cannot be a TLS host label (dots, upper case, '_') and
// for buckets against an endpoint override (a loopback emulator or an S3-compatible store).
// Access-point ARNs go to name-account.s3-accesspoint.region.domain (name-account.<override
// host> against an override, as botocore). An https location's FIPS or dual-stack host is
// kept. Keys are encoded by S3's rule (every byte but A-Za-z0-9-._~ and '/'), never
// normalised. Pure.
#ifndef S3US_S3_ENDPOINT_H_
#define S3US_S3_ENDPOINT_H_

#include <string>
#include <string_view>

#include "core/error.h"
#include "s3/location.h"

namespace s3us::s3 {

struct S3EndpointOptions {
  // "http://127.0.0.1:9000" or "https://minio.internal/base": requests go there,
  // path-style. Empty: AWS's own endpoints.
  std::string endpoint_override;
  // The instance's DNS suffix ("amazonaws.com", IMDS services/domain) for the regions of
  // domain_partition (all when that is empty); other regions, and all when this is empty,
  // get their own partition's (amazonaws.com.cn for cn-*).
  std::string domain;
  std::string domain_partition;
  bool use_fips = false;
  bool use_dualstack = false;
};

struct S3Endpoint {
  std::string url;             // scheme://host[:port]/path[?query], exactly what is sent
  std::string host;            // the Host header: lower-case, with ":port" when not the default
  std::string path;            // encoded path as sent (the canonical URI for S3)
  std::string query;           // encoded query without '?' ("versionId=…"), possibly empty
  std::string signing_region;  // the region the request must be signed for
  bool path_style = false;
};

// A bucket name usable as one DNS label under TLS (no dots, lower-case, 3-63 chars).
bool IsVirtualHostableBucket(std::string_view bucket);

// The object key as it appears in the URL path (without the leading '/').
std::string EncodeS3Key(std::string_view key);

// kInvalidInput for a malformed override URL or access-point ARN.
Result<S3Endpoint> ResolveS3Endpoint(const S3Location& location, std::string_view region,
                                     const S3EndpointOptions& options);

// The region named by an S3 host ("bucket.s3.eu-west-1.amazonaws.com",
// "s3-eu-west-1.amazonaws.com", "s3.dualstack.eu-west-1.amazonaws.com"; "s3.amazonaws.com"
// → "us-east-1"); empty when the host names none.
std::string RegionFromS3Host(std::string_view host);

}  // namespace s3us::s3

#endif  // S3US_S3_ENDPOINT_H_

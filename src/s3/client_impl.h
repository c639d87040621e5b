// S3ClientImpl: the S3Client of aws/s3_client.h over a Transport, a aws::CredentialProvider and
// the SigV4 signer.
//
// One GetObject = one signed GET plus at most one of each repair: re-sign for the region S3
// names (301/307/400 with x-amz-bucket-region, <Region> or <Endpoint>; remembered per
// bucket), re-sign with S3's clock (RequestTimeTooSkewed, or a 403 whose Date is ≥ 4 min
// off; the offset is kept for later requests), re-sign with fresh credentials (ExpiredToken,
// InvalidToken, TokenRefreshRequired). It never follows a Location header and never retries
// 5xx or transport errors (the RetryingTransport under it does). Signs
// host;[x-amz-checksum-mode;]x-amz-content-sha256;x-amz-date;[x-amz-security-token] with the
// empty-body SHA-256 as payload hash; User-Agent is sent unsigned; Host is sent explicitly.
// Signing region: the one learned for the bucket, else the location's, else us-east-1 for a
// name only us-east-1 ever allowed (s3/location.h IsLegacyBucketName; AWS endpoints of the
// aws partition), else the default.
// Errors carry no location: callers add "fetching s3://b/k". Thread-safe.
#ifndef S3US_S3_CLIENT_IMPL_H_
#define S3US_S3_CLIENT_IMPL_H_

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "aws/credentials.h"
#include "aws/sigv4.h"
#include "core/clock.h"
#include "net/transport.h"
#include "net/verifying_sink.h"
#include "s3/client.h"
#include "s3/endpoint.h"
#include "s3/errors.h"

namespace s3us::s3 {

struct S3ClientOptions {
  // "http://127.0.0.1:PORT": every request goes there, path-style. Empty: AWS endpoints.
  std::string endpoint_override;
  // Signing region when neither the location nor an earlier answer names one.
  std::string default_region = "us-east-1";
  // The instance's DNS suffix (IMDS services/domain) for the regions of domain_partition
  // (S3EndpointOptions); empty: by region (amazonaws.com, amazonaws.com.cn for cn-*).
  std::string domain;
  std::string domain_partition;
  bool use_fips = false;
  bool use_dualstack = false;
  // Sends x-amz-checksum-mode: ENABLED so S3 returns the object's stored checksum.
  bool checksum_mode = true;
  std::string user_agent = std::string("s3-user-script/") + S3US_VERSION;
  // Per-attempt cap handed to the transport; zero: the transport's default.
  std::chrono::milliseconds request_timeout{0};
};

class S3ClientImpl : public S3Client {
 public:
  S3ClientImpl(net::Transport& transport, aws::CredentialProvider& credentials, Clock& clock,
               S3ClientOptions options = {});

  // kInvalidInput (no bucket or key), kNotFound, kAccessDenied, kExpiredCredentials,
  // kWrongRegion, kClockSkew, kThrottled, kTimeout, kHttp, kLengthMismatch,
  // kDigestMismatch, kLimitExceeded, kTransport, and the credential provider's codes. On
  // any failure the sink is Reset().
  Result<GetObjectResult> GetObject(const GetObjectRequest& request) override;

  // The region learned for `bucket` from an earlier redirect; empty when none.
  std::string CachedRegion(std::string_view bucket);
  // S3's clock minus ours, learned from a skew repair (zero until then).
  Clock::Duration clock_offset() const { return Clock::Duration(offset_ms_.load()); }

 private:
  struct Attempt;  // one signed request and the repairs spent so far

  std::string RegionFor(const S3Location& location);
  Result<net::Response> SendSigned(const GetObjectRequest& request, Attempt& attempt,
                                   net::BodySink& sink);
  Result<GetObjectResult> Received(const net::Response& response, const Attempt& attempt,
                                   const GetObjectRequest& request, net::VerifyingSink& sink);
  // Each repair at most once per GetObject; true when the request should be signed again.
  bool Repair(const S3Location& location, const net::Response& response, const S3ErrorInfo& info,
              Attempt& attempt);
  bool RepairRegion(const S3Location& location, const net::Response& response,
                    const S3ErrorInfo& info, Attempt& attempt);
  bool RepairClock(const net::Response& response, const S3ErrorInfo& info, Attempt& attempt);

  net::Transport& transport_;
  aws::CredentialProvider& credentials_;
  Clock& clock_;
  S3ClientOptions options_;
  S3EndpointOptions endpoint_options_;
  aws::SigV4Signer signer_;
  std::mutex mu_;
  std::map<std::string, std::string, std::less<>> regions_;
  std::atomic<int64_t> offset_ms_{0};
};

}  // namespace s3us::s3

#endif  // S3US_S3_CLIENT_IMPL_H_

// StsClient: the two AWS STS calls the credential chain needs, AssumeRole (signed with
// SigV4 by the source credentials) and AssumeRoleWithWebIdentity (unsigned), and the
// endpoint rules that pick where they go.
//
// Not responsible for where the parameters come from (profile_sources.h) or for caching
// (credential_chain.h). Messages name the role and the STS error code and message, never
// a token or key. Thread-safe.
#ifndef S3US_AWS_STS_CLIENT_H_
#define S3US_AWS_STS_CLIENT_H_

#include <optional>
#include <string>
#include <string_view>

#include "aws/aws_config.h"
#include "aws/credentials.h"
#include "aws/sigv4.h"
#include "core/clock.h"
#include "net/transport.h"

namespace s3us::aws {

// Where one AWS service call goes and the region it is signed for.
struct ServiceEndpoint {
  std::string url;  // "https://sts.eu-west-1.amazonaws.com", no trailing '/'
  std::string signing_region;
};

// The configured override (AwsConfig::sts_endpoint_url), else sts.REGION (FIPS and
// dual-stack variants when asked), else — no region, or a legacy global region with
// AWS_STS_REGIONAL_ENDPOINTS=legacy — the global sts.amazonaws.com signed for us-east-1.
ServiceEndpoint StsEndpoint(const AwsConfig& config);

struct AssumeRoleParams {
  std::string role_arn;
  std::string session_name;
  std::string external_id;              // empty: not sent
  std::optional<int> duration_seconds;  // unset: STS's default (1 hour)
};

// "s3-user-script-<unix seconds>": the session name when none is configured.
std::string DefaultSessionName(Clock::WallTime now);

class StsClient {
 public:
  // `transport` and `clock` must outlive the client; every call carries `deadline`.
  StsClient(net::Transport& transport, Clock& clock, ServiceEndpoint endpoint, Deadline deadline)
      : transport_(transport), clock_(clock), endpoint_(std::move(endpoint)), deadline_(deadline) {}

  // Temporary credentials of the role. Errors: kAccessDenied for STS's 4xx refusals
  // (message "sts AssumeRole for ROLE: HTTP 403 AccessDenied: …"), kHttp for others,
  // kInvalidInput for a 2xx answer without credentials, transport errors as they come.
  Result<Credentials> AssumeRole(const Credentials& source, const AssumeRoleParams& params);
  Result<Credentials> AssumeRoleWithWebIdentity(const AssumeRoleParams& params,
                                                const Secret& token);

  const ServiceEndpoint& endpoint() const { return endpoint_; }

 private:
  Result<Credentials> Call(std::string_view action, const std::string& body,
                           const Credentials* signer, const std::string& role_arn);

  net::Transport& transport_;
  Clock& clock_;
  ServiceEndpoint endpoint_;
  Deadline deadline_;
  SigV4Signer signer_;
};

// "host[:port]" and the path of an http(s) URL ("/" when it has none).
std::pair<std::string, std::string> SplitUrl(std::string_view url);

}  // namespace s3us::aws

#endif  // S3US_AWS_STS_CLIENT_H_

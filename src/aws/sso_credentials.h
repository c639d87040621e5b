// IAM Identity Center (SSO) credentials: the access token `aws sso login` cached under
// ~/.aws/sso/cache/ exchanged for role credentials at the portal's GetRoleCredentials.
//
// The cache file is SHA-1(hex) of the sso-session name (sso_session profiles) or of the
// start URL (legacy sso_* keys), + ".json", as botocore and the AWS CLI name it. The token
// is never refreshed here: a missing, expired or refused token is kInvalidInput saying
// "run aws sso login --profile X". Thread-safe.
#ifndef S3US_AWS_SSO_CREDENTIALS_H_
#define S3US_AWS_SSO_CREDENTIALS_H_

#include <string>

#include "aws/aws_config.h"
#include "aws/profile_sources.h"
#include "aws/role_providers.h"
#include "aws/sts_client.h"
#include "net/transport.h"

namespace s3us::aws {

// The override (AwsConfig::sso_endpoint_url), else portal.sso.REGION (FIPS / dual-stack
// variants when asked).
ServiceEndpoint SsoPortalEndpoint(const AwsConfig& config, std::string_view sso_region);

// "<home>/.aws/sso/cache/<sha1 hex>.json"; empty without a home directory.
std::string SsoCacheFile(const Environment& env, const SsoSettings& sso);

class SsoCredentialProvider : public CachingProvider {
 public:
  SsoCredentialProvider(SsoSettings sso, std::string profile, Environment env,
                        ServiceEndpoint portal, net::Transport& transport, Clock& clock,
                        Deadline deadline)
      : CachingProvider(clock),
        sso_(std::move(sso)),
        profile_(std::move(profile)),
        env_(std::move(env)),
        portal_(std::move(portal)),
        transport_(transport),
        clock_(clock),
        deadline_(deadline) {}
  std::string Name() const override { return "IAM Identity Center (profile '" + profile_ + "')"; }

 private:
  Result<Credentials> Fetch() override;
  Result<Secret> CachedToken();
  Error LoginError(const std::string& why) const;

  SsoSettings sso_;
  std::string profile_;
  Environment env_;
  ServiceEndpoint portal_;
  net::Transport& transport_;
  Clock& clock_;
  Deadline deadline_;
};

}  // namespace s3us::aws

#endif  // S3US_AWS_SSO_CREDENTIALS_H_

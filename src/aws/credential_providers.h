// The environment's credentials (their Expiration read by aws_time.h's ParseAwsTimestamp).
//
// Not responsible for profiles (profile_provider.h), IMDS (imds_credentials.h) or for
// caching and refresh (credential_chain.h). Messages name variables, never values.
// Thread-safe.
#ifndef S3US_AWS_CREDENTIAL_PROVIDERS_H_
#define S3US_AWS_CREDENTIAL_PROVIDERS_H_

#include <string>
#include <string_view>

#include "aws/aws_time.h"
#include "aws/credentials.h"
#include "aws/environment.h"

namespace s3us::aws {

// AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN, or the legacy
// AWS_SECURITY_TOKEN; AWS_CREDENTIAL_EXPIRATION as ISO 8601). Blank values count as unset.
// kNoCredentials when neither key is set; kInvalidInput when only one is, or the
// expiration does not parse. Reads the environment on every Get().
class EnvironmentCredentialProvider : public CredentialProvider {
 public:
  explicit EnvironmentCredentialProvider(Environment env) : env_(std::move(env)) {}
  Result<Credentials> Get(bool force_refresh = false) override;
  std::string Name() const override { return "environment"; }

 private:
  Environment env_;
};

}  // namespace s3us::aws

#endif  // S3US_AWS_CREDENTIAL_PROVIDERS_H_

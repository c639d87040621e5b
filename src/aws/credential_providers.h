// The environment's credentials, and the AWS timestamp form credentials expire in.
//
// Not responsible for profiles (profile_provider.h), IMDS (imds_credentials.h) or for
// caching and refresh (credential_chain.h). Messages name variables, never values.
// Thread-safe.
#ifndef S3US_AWS_CREDENTIAL_PROVIDERS_H_
#define S3US_AWS_CREDENTIAL_PROVIDERS_H_

#include <string>
#include <string_view>

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

// "2021-09-21T04:16:53Z", with optional fractional seconds and a "+hh:mm"/"-hh:mm" offset
// instead of "Z" (the form of IMDS's and the environment's Expiration). kInvalidInput
// otherwise.
Result<Clock::WallTime> ParseAwsTimestamp(std::string_view text);

}  // namespace s3us::aws

#endif  // S3US_AWS_CREDENTIAL_PROVIDERS_H_

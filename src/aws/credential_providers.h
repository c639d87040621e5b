// The credential sources that need no network: the environment and the shared
// config/credentials files (static keys only).
//
// Not responsible for IMDS (the wire side's provider) or for caching and refresh
// (credential_chain.h). Profiles that need another mechanism (assume role, SSO, web
// identity, credential_process) give kUnsupported with a message saying so. Messages name
// variables, files and profiles, never values. Both providers are thread-safe.
#ifndef S3US_AWS_CREDENTIAL_PROVIDERS_H_
#define S3US_AWS_CREDENTIAL_PROVIDERS_H_

#include <string>
#include <string_view>

#include "aws/credentials.h"
#include "aws/environment.h"
#include "aws/shared_config.h"

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

// aws_access_key_id + aws_secret_access_key (+ aws_session_token) of the selected profile;
// property names are case-insensitive and credentials-file values win (shared_config.h).
// kNoCredentials when the profile is not defined or has no keys; kUnsupported for
// role_arn, web_identity_token_file, sso_session, sso_start_url, credential_process;
// kInvalidInput when only one of the two keys is set.
class ProfileCredentialProvider : public CredentialProvider {
 public:
  explicit ProfileCredentialProvider(SharedConfig shared) : shared_(std::move(shared)) {}
  Result<Credentials> Get(bool force_refresh = false) override;
  std::string Name() const override { return shared_.Describe(); }

 private:
  SharedConfig shared_;
};

// "2021-09-21T04:16:53Z", with optional fractional seconds and a "+hh:mm"/"-hh:mm" offset
// instead of "Z" (the form of IMDS's and the environment's Expiration). kInvalidInput
// otherwise.
Result<Clock::WallTime> ParseAwsTimestamp(std::string_view text);

}  // namespace s3us::aws

#endif  // S3US_AWS_CREDENTIAL_PROVIDERS_H_

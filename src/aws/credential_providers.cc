#include "aws/credential_providers.h"

namespace s3us::aws {

Result<Credentials> EnvironmentCredentialProvider::Get(bool) {
  std::optional<std::string> id = env_.GetNonBlank("AWS_ACCESS_KEY_ID");
  std::optional<std::string> secret = env_.GetNonBlank("AWS_SECRET_ACCESS_KEY");
  // As botocore: without an access key id the environment holds no credentials (a stale
  // secret alone does not stop the chain); an id without its secret is an error.
  if (!id) return Error(ErrorCode::kNoCredentials, "AWS_ACCESS_KEY_ID is not set");
  if (!secret) {
    return Error(ErrorCode::kInvalidInput,
                 "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
  }
  Credentials c;
  c.access_key_id = std::move(*id);
  c.secret_access_key = Secret(std::move(*secret));
  std::optional<std::string> token = env_.GetNonBlank("AWS_SESSION_TOKEN");
  if (!token) token = env_.GetNonBlank("AWS_SECURITY_TOKEN");
  if (token) c.session_token = Secret(std::move(*token));
  if (std::optional<std::string> exp = env_.GetNonBlank("AWS_CREDENTIAL_EXPIRATION")) {
    Result<Clock::WallTime> t = ParseAwsTimestamp(*exp);
    if (!t.ok()) return std::move(t).error().WithContext("AWS_CREDENTIAL_EXPIRATION");
    c.expiration = *t;
  }
  c.provider = "environment";
  return c;
}

}  // namespace s3us::aws

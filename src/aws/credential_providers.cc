#include "aws/credential_providers.h"

namespace s3us::aws {

Result<Credentials> EnvironmentCredentialProvider::Get(bool) {
  std::optional<std::string> id = env_.GetNonBlank("AWS_ACCESS_KEY_ID");
  std::optional<std::string> secret = env_.GetNonBlank("AWS_SECRET_ACCESS_KEY");
  if (!id && !secret) {
    return Error(ErrorCode::kNoCredentials, "AWS_ACCESS_KEY_ID is not set");
  }
  if (!id || !secret) {
    return Error(ErrorCode::kInvalidInput,
                 std::string(id ? "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"
                                : "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not"));
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

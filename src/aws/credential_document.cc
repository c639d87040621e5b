#include "aws/credential_document.h"

#include <array>
#include <utility>

#include "aws/aws_time.h"
#include "aws/json_field.h"
#include "core/strings.h"

namespace s3us::aws {

Result<Credentials> CredentialsFromDocument(const nlohmann::json& doc) {
  Credentials creds;
  creds.access_key_id = JsonString(doc, "AccessKeyId");
  std::string secret = JsonString(doc, "SecretAccessKey");
  std::string token = JsonString(doc, "Token");
  std::string expiration = JsonString(doc, "Expiration");
  for (auto [field, value] : std::array<std::pair<const char*, const std::string*>, 4>{
           {{"AccessKeyId", &creds.access_key_id},
            {"SecretAccessKey", &secret},
            {"Token", &token},
            {"Expiration", &expiration}}}) {
    if (value->empty())
      return Error(ErrorCode::kInvalidInput, std::string("no ") + field + " field");
  }
  creds.secret_access_key = Secret(std::move(secret));
  creds.session_token = Secret(std::move(token));
  // Read as every other provider's Expiration is: a UTC offset, fractional seconds and a
  // far-future year (an emulator's "never") are what botocore's parser accepts too.
  Result<Clock::WallTime> expires = ParseAwsTimestamp(expiration);
  if (!expires.ok()) {
    return Error(ErrorCode::kInvalidInput,
                 "unreadable Expiration \"" + Printable(expiration, 80) + "\"");
  }
  creds.expiration = *expires;
  return creds;
}

}  // namespace s3us::aws

#include "aws/credential_document.h"

#include <algorithm>
#include <array>
#include <utility>

#include "aws/aws_time.h"
#include "aws/json_field.h"
#include "core/strings.h"

namespace s3us::aws {
namespace {

bool IsAccessKeyId(std::string_view id) {
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool IsPrintableWithoutSpace(std::string_view value) {
  return std::all_of(value.begin(), value.end(), [](char c) { return c >= 0x21 && c <= 0x7e; });
}

}  // namespace

Status CheckCredentialFields(const Credentials& creds, const CredentialFieldNames& names) {
  if (!IsAccessKeyId(creds.access_key_id)) {
    return Error(ErrorCode::kInvalidInput,
                 std::string(names.access_key_id) +
                     " is no access key id (at most 128 letters, digits or '_')");
  }
  for (auto [field, value] : {std::pair{names.secret_access_key, &creds.secret_access_key},
                              std::pair{names.session_token, &creds.session_token}}) {
    if (!IsPrintableWithoutSpace(value->reveal())) {
      return Error(ErrorCode::kInvalidInput,
                   std::string(field) + " holds a byte that is not printable ASCII or is a space");
    }
  }
  return Ok();
}

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
  if (Status s = CheckCredentialFields(creds); !s.ok()) return std::move(s).error();
  return creds;
}

}  // namespace s3us::aws

#include "aws/sso_credentials.h"

#include <openssl/evp.h>

#include <nlohmann/json.hpp>

#include "aws/aws_time.h"
#include "aws/credential_document.h"
#include "aws/credential_providers.h"
#include "aws/imds_client.h"
#include "aws/json_field.h"
#include "aws/regions.h"
#include "aws/sigv4.h"
#include "core/crypto.h"
#include "core/log.h"
#include "net/sinks.h"

namespace s3us::aws {
namespace {

constexpr uint64_t kMaxPortalBody = 64 << 10;

std::string Sha1Hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha1(), nullptr);
  return Hex(digest, size);
}

}  // namespace

ServiceEndpoint SsoPortalEndpoint(const AwsConfig& config, std::string_view sso_region) {
  std::string region(sso_region);
  if (!config.sso_endpoint_url.empty()) return {config.sso_endpoint_url, region};
  std::string host = config.use_fips_endpoint ? "portal.sso-fips." : "portal.sso.";
  std::string domain = config.use_dualstack_endpoint ? "api.aws" : DomainForRegion(region);
  return {"https://" + host + region + "." + domain, region};
}

std::string SsoCacheFile(const Environment& env, const SsoSettings& sso) {
  std::optional<std::string> home = env.HomeDir();
  if (!home) return {};
  const std::string& key = sso.session_name.empty() ? sso.start_url : sso.session_name;
  return *home + "/.aws/sso/cache/" + Sha1Hex(key) + ".json";
}

Error SsoCredentialProvider::LoginError(const std::string& why) const {
  return Error(ErrorCode::kInvalidInput,
               Name() + ": " + why + "; run aws sso login --profile " + profile_);
}

Result<Secret> SsoCredentialProvider::CachedToken() {
  std::string path = SsoCacheFile(env_, sso_);
  if (path.empty()) return LoginError("no home directory to find the token cache in");
  Result<std::optional<std::string>> text = env_.ReadFile(path);
  if (!text.ok()) return std::move(text).error().WithContext(Name() + ": reading " + path);
  if (!text->has_value()) return LoginError("no cached token in " + path);
  nlohmann::json j = nlohmann::json::parse(**text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return LoginError(path + " is not a JSON token cache");
  Secret token(JsonString(j, "accessToken"));
  std::string expires = JsonString(j, "expiresAt");
  if (token.empty() || expires.empty()) {
    return LoginError(path + " has no accessToken or expiresAt");
  }
  // Older CLIs wrote "2019-11-14T04:05:45UTC".
  if (expires.size() > 3 && expires.ends_with("UTC")) expires.replace(expires.size() - 3, 3, "Z");
  Result<Clock::WallTime> at = ParseAwsTimestamp(expires);
  if (!at.ok()) return LoginError(path + " has an unreadable expiresAt");
  if (clock_.Now() >= *at) {
    return LoginError("the cached token expired at " + FormatIso8601(*at));
  }
  return token;
}

Result<Credentials> SsoCredentialProvider::Fetch() {
  Result<Secret> token = CachedToken();
  if (!token.ok()) return std::move(token).error();
  std::string what = Name() + ": GetRoleCredentials for account " + sso_.account_id + " role " +
                     sso_.role_name + " at " + RedactUrl(portal_.url);
  std::string host = SplitUrl(portal_.url).first;
  net::Request http;
  http.url = portal_.url +
             "/federation/credentials?account_id=" + UriEncode(sso_.account_id, false) +
             "&role_name=" + UriEncode(sso_.role_name, false);
  http.headers = {{"Host", host}, {"x-amz-sso_bearer_token", token->reveal()}};
  http.deadline = deadline_;
  LogDebug(what);
  net::MemorySink sink(kMaxPortalBody);
  Result<net::Response> response = transport_.Send(http, &sink);
  if (!response.ok()) return std::move(response).error().WithContext(what);
  const net::Response& r = *response;
  if (r.status == 401 || r.status == 403) {
    return LoginError("the portal refused the cached token (HTTP " + std::to_string(r.status) +
                      ")");
  }
  if (r.status < 200 || r.status >= 300) {
    return Error(ErrorCode::kHttp, "HTTP " + std::to_string(r.status))
        .set_http_status(r.status)
        .WithContext(what);
  }
  nlohmann::json j = nlohmann::json::parse(sink.data(), nullptr, false);
  const nlohmann::json* rc =
      j.is_object() && j.contains("roleCredentials") && j["roleCredentials"].is_object()
          ? &j["roleCredentials"]
          : nullptr;
  if (rc == nullptr || !rc->contains("expiration") || !rc->at("expiration").is_number_integer()) {
    return Error(ErrorCode::kInvalidInput, "the answer has no complete roleCredentials")
        .WithContext(what);
  }
  Credentials c;
  c.access_key_id = JsonString(*rc, "accessKeyId");
  c.secret_access_key = Secret(JsonString(*rc, "secretAccessKey"));
  c.session_token = Secret(JsonString(*rc, "sessionToken"));
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    return Error(ErrorCode::kInvalidInput, "the answer has no complete roleCredentials")
        .WithContext(what);
  }
  if (Status s = CheckCredentialFields(c, {"accessKeyId", "secretAccessKey", "sessionToken"});
      !s.ok()) {
    return std::move(s).error().WithContext(what + ": roleCredentials");
  }
  c.expiration = FromUnixMillis(rc->at("expiration").get<int64_t>());
  c.provider = Name() + " account " + sso_.account_id + " role " + sso_.role_name;
  return c;
}

}  // namespace s3us::aws

#include "aws/sts_client.h"

#include <array>

#include "aws/credential_document.h"
#include "aws/credential_providers.h"
#include "aws/imds_client.h"
#include "aws/regions.h"
#include "aws/xml.h"
#include "core/log.h"
#include "net/sinks.h"

namespace s3us::aws {
namespace {

// STS answers are a few KiB; anything larger is not an STS answer.
constexpr uint64_t kMaxStsBody = 256 << 10;

// The regions STS served from sts.amazonaws.com before regional endpoints became the default
// (botocore's _LEGACY_GLOBAL_STS_REGIONS).
constexpr std::array<std::string_view, 16> kLegacyGlobalRegions = {
    "ap-northeast-1", "ap-south-1",   "ap-southeast-1", "ap-southeast-2",
    "aws-global",     "ca-central-1", "eu-central-1",   "eu-north-1",
    "eu-west-1",      "eu-west-2",    "eu-west-3",      "sa-east-1",
    "us-east-1",      "us-east-2",    "us-west-1",      "us-west-2"};

void AddParam(std::string& body, std::string_view name, std::string_view value) {
  body += '&';
  body += name;
  body += '=';
  body += UriEncode(value, /*keep_slash=*/false);
}

std::string Body(std::string_view action, const AssumeRoleParams& p) {
  std::string body = "Action=" + std::string(action) + "&Version=2011-06-15";
  AddParam(body, "RoleArn", p.role_arn);
  AddParam(body, "RoleSessionName", p.session_name);
  if (!p.external_id.empty()) AddParam(body, "ExternalId", p.external_id);
  if (p.duration_seconds) AddParam(body, "DurationSeconds", std::to_string(*p.duration_seconds));
  return body;
}

}  // namespace

std::pair<std::string, std::string> SplitUrl(std::string_view url) {
  size_t scheme = url.find("://");
  std::string_view rest = scheme == std::string_view::npos ? url : url.substr(scheme + 3);
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return {std::string(rest), "/"};
  return {std::string(rest.substr(0, slash)), std::string(rest.substr(slash))};
}

ServiceEndpoint StsEndpoint(const AwsConfig& config) {
  std::string region = config.region;
  if (!config.sts_endpoint_url.empty()) {
    return {config.sts_endpoint_url, region.empty() ? "us-east-1" : region};
  }
  bool legacy_global =
      !config.sts_regional && std::find(kLegacyGlobalRegions.begin(), kLegacyGlobalRegions.end(),
                                        region) != kLegacyGlobalRegions.end();
  if (region.empty() || region == "aws-global" ||
      (legacy_global && !config.use_fips_endpoint && !config.use_dualstack_endpoint)) {
    return {"https://sts.amazonaws.com", "us-east-1"};
  }
  std::string host = config.use_fips_endpoint ? "sts-fips." : "sts.";
  std::string domain = config.use_dualstack_endpoint ? "api.aws" : DomainForRegion(region);
  return {"https://" + host + region + "." + domain, region};
}

std::string DefaultSessionName(Clock::WallTime now) {
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  return "s3-user-script-" + std::to_string(secs);
}

Result<Credentials> StsClient::AssumeRole(const Credentials& source, const AssumeRoleParams& p) {
  return Call("AssumeRole", Body("AssumeRole", p), &source, p.role_arn);
}

Result<Credentials> StsClient::AssumeRoleWithWebIdentity(const AssumeRoleParams& p,
                                                         const Secret& token) {
  std::string body = Body("AssumeRoleWithWebIdentity", p);
  AddParam(body, "WebIdentityToken", token.reveal());
  return Call("AssumeRoleWithWebIdentity", body, nullptr, p.role_arn);
}

Result<Credentials> StsClient::Call(std::string_view action, const std::string& body,
                                    const Credentials* source, const std::string& role_arn) {
  std::string what =
      "sts " + std::string(action) + " for " + role_arn + " at " + RedactUrl(endpoint_.url);
  auto [host, path] = SplitUrl(endpoint_.url);
  net::Request http;
  http.method = "POST";
  http.url = endpoint_.url + (path == "/" && endpoint_.url.back() != '/' ? "/" : "");
  http.body = body;
  http.deadline = deadline_;
  net::Headers headers = {{"Host", host},
                          {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  if (source != nullptr) {
    SigningRequest to_sign;
    to_sign.method = "POST";
    to_sign.path = path;
    to_sign.headers = headers;
    to_sign.body = body;
    SigningOptions options;
    options.region = endpoint_.signing_region;
    options.service = "sts";
    options.time = clock_.Now();
    options.double_uri_encode = true;
    options.normalize_path = true;
    options.add_content_sha256_header = false;
    SignedRequest signed_request = signer_.Sign(to_sign, *source, options);
    RegisterSecretValue(signed_request.signature);
    RegisterSecretValue(source->access_key_id);
    headers = std::move(signed_request.headers);
  }
  http.headers = std::move(headers);
  LogDebug(what);
  net::MemorySink sink(kMaxStsBody);
  Result<net::Response> response = transport_.Send(http, &sink);
  if (!response.ok()) return std::move(response).error().WithContext(what);
  const net::Response& r = *response;
  if (r.status < 200 || r.status >= 300) {
    std::string code = XmlElement(r.body, "Code");
    std::string message = XmlElement(r.body, "Message");
    std::string cause = "HTTP " + std::to_string(r.status) + (code.empty() ? "" : " " + code) +
                        (message.empty() ? "" : ": " + message);
    ErrorCode ec = r.status >= 400 && r.status < 500 ? ErrorCode::kAccessDenied : ErrorCode::kHttp;
    return Error(ec, cause).set_http_status(r.status).set_aws_code(code).WithContext(what);
  }
  const std::string& xml = sink.data();
  Credentials c;
  c.access_key_id = XmlElement(xml, "AccessKeyId");
  c.secret_access_key = Secret(XmlElement(xml, "SecretAccessKey"));
  c.session_token = Secret(XmlElement(xml, "SessionToken"));
  std::string expiration = XmlElement(xml, "Expiration");
  if (c.access_key_id.empty() || c.secret_access_key.empty() || c.session_token.empty() ||
      expiration.empty()) {
    return Error(ErrorCode::kInvalidInput, "the answer has no complete Credentials element")
        .WithContext(what);
  }
  if (Status s = CheckCredentialFields(c, {.session_token = "SessionToken"}); !s.ok()) {
    return std::move(s).error().WithContext(what + ": Credentials");
  }
  Result<Clock::WallTime> exp = ParseAwsTimestamp(expiration);
  if (!exp.ok()) return std::move(exp).error().WithContext(what + ": Expiration");
  c.expiration = *exp;
  std::string arn = XmlElement(xml, "Arn");
  c.provider = arn.empty() ? role_arn : arn;
  return c;
}

}  // namespace s3us::aws

#include "aws/container_credentials.h"

#include <arpa/inet.h>

#include <array>
#include <nlohmann/json.hpp>

#include "aws/credential_document.h"
#include "core/log.h"
#include "core/secret.h"
#include "core/strings.h"
#include "net/sinks.h"

namespace s3us::aws {
namespace {

constexpr const char* kRelativeVar = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
constexpr const char* kFullVar = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
constexpr const char* kTokenFileVar = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
constexpr const char* kTokenVar = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
// An answer is a few hundred bytes; a larger one is not credentials.
constexpr uint64_t kMaxAnswerBytes = 64 << 10;

struct UrlParts {
  std::string scheme;  // lower case
  std::string host;    // without brackets
  std::string origin;  // scheme://authority
};

std::optional<UrlParts> ParseHttpUrl(std::string_view url) {
  size_t sep = url.find("://");
  if (sep == std::string_view::npos) return std::nullopt;
  UrlParts parts;
  parts.scheme = ToLower(url.substr(0, sep));
  if (parts.scheme != "http" && parts.scheme != "https") return std::nullopt;
  std::string_view rest = url.substr(sep + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  // User info would be sent nowhere useful and printed in messages: not a credentials URL.
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
  std::string_view host = authority;
  std::string_view port;
  if (host.front() == '[') {
    size_t close = host.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    port = host.substr(close + 1);
    host = host.substr(1, close - 1);
  } else {
    port = host.substr(std::min(host.find(':'), host.size()));
    host = host.substr(0, host.find(':'));
  }
  // Only ":digits" may follow the host: `http://svc:PASS/x@host/` (a password with an
  // unencoded '/') must not be taken for host "svc" and have its "port" quoted.
  if (!port.empty() && (port.front() != ':' || port.size() < 2 || port.size() > 6 ||
                        port.find_first_not_of("0123456789", 1) != std::string_view::npos)) {
    return std::nullopt;
  }
  if (host.empty()) return std::nullopt;
  parts.host = std::string(host);
  parts.origin = parts.scheme + "://" + std::string(authority);
  return parts;
}

// botocore's rule for plain http: the host itself (no name lookup) must be loopback or one
// of the ECS / EKS agents' link-local addresses.
bool AllowedPlainHttpHost(const std::string& host) {
  if (IEquals(host, "localhost")) return true;
  std::array<unsigned char, 16> a{};
  if (inet_pton(AF_INET, host.c_str(), a.data()) == 1) {
    return a[0] == 127 || (a[0] == 169 && a[1] == 254 && a[2] == 170 && (a[3] == 2 || a[3] == 23));
  }
  if (inet_pton(AF_INET6, host.c_str(), a.data()) != 1) return false;
  static constexpr std::array<unsigned char, 16> kLoopback = {0, 0, 0, 0, 0, 0, 0, 0,
                                                              0, 0, 0, 0, 0, 0, 0, 1};
  static constexpr std::array<unsigned char, 16> kEks = {0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0,
                                                         0,    0,    0,    0,    0, 0, 0, 0x23};
  return a == kLoopback || a == kEks;
}

}  // namespace

Result<std::optional<ContainerEndpoint>> FindContainerEndpoint(const Environment& env) {
  if (std::optional<std::string> path = env.GetNonBlank(kRelativeVar)) {
    std::string sep = path->front() == '/' ? "" : "/";
    return std::optional<ContainerEndpoint>(ContainerEndpoint{
        kEcsCredentialsEndpoint + sep + *path, kRelativeVar, kEcsCredentialsEndpoint});
  }
  std::optional<std::string> full = env.GetNonBlank(kFullVar);
  if (!full) return std::optional<ContainerEndpoint>();
  std::optional<UrlParts> parts = ParseHttpUrl(*full);
  if (!parts) {
    return Error(ErrorCode::kInvalidInput, std::string(kFullVar) + " is not an http(s) URL");
  }
  if (parts->scheme == "http" && !AllowedPlainHttpHost(parts->host)) {
    return Error(ErrorCode::kInvalidInput,
                 std::string(kFullVar) + " names plain http to " + parts->origin +
                     ": only loopback and the ECS/EKS endpoints (169.254.170.2, "
                     "169.254.170.23, fd00:ec2::23) are allowed without https");
  }
  return std::optional<ContainerEndpoint>(ContainerEndpoint{*full, kFullVar, parts->origin});
}

Result<Credentials> ParseContainerCredentials(std::string_view text) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return Error(ErrorCode::kInvalidInput, "the answer is not a JSON object");
  return CredentialsFromDocument(doc);
}

// The file wins over the variable, as in botocore; either may be absent.
Result<std::optional<std::string>> ContainerCredentialProvider::AuthorizationToken() const {
  std::optional<std::string> token;
  if (std::optional<std::string> file = env_.GetNonBlank(kTokenFileVar)) {
    std::string what = std::string(kTokenFileVar) + " " + *file;
    Result<std::optional<std::string>> text = env_.ReadFile(*file);
    if (!text.ok()) return std::move(text).error().WithContext(what);
    if (!text->has_value()) return Error(ErrorCode::kInvalidInput, what + " does not exist");
    token = std::string(Trim(**text));
    if (token->empty()) return Error(ErrorCode::kInvalidInput, what + " is empty");
  } else if (std::optional<std::string> value = env_.GetNonBlank(kTokenVar)) {
    token = *value;
  }
  if (token && token->find_first_of("\r\n") != std::string::npos) {
    return Error(ErrorCode::kInvalidInput,
                 "the container authorization token holds a line break (header injection)");
  }
  if (token) RegisterSecretValue(*token);
  return token;
}

Result<Credentials> ContainerCredentialProvider::Fetch() {
  Result<std::optional<ContainerEndpoint>> endpoint = FindContainerEndpoint(env_);
  if (!endpoint.ok()) return std::move(endpoint).error();
  if (!endpoint->has_value()) {
    return Error(ErrorCode::kNoCredentials,
                 "neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor "
                 "AWS_CONTAINER_CREDENTIALS_FULL_URI is set");
  }
  const ContainerEndpoint& ep = **endpoint;
  // The chain names the provider; this names the endpoint.
  std::string what = ep.variable + " at " + ep.origin;
  if (transport_ == nullptr) {
    return Error(ErrorCode::kUnsupported, "no network access").WithContext(what);
  }
  Result<std::optional<std::string>> token = AuthorizationToken();
  if (!token.ok()) return std::move(token).error().WithContext(what);

  // The path may name the task (ECS's relative URI holds an id): messages name the origin
  // only, and the retry layer's debug lines must not show it either.
  if (ep.url.size() > ep.origin.size()) RegisterSecretValue(ep.url.substr(ep.origin.size()));
  net::Request http;
  http.url = ep.url;
  http.headers = {{"Accept", "application/json"}};
  if (*token) http.headers.emplace_back("Authorization", **token);
  http.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(kContainerRequestTimeout);
  http.deadline = deadline_;
  LogDebug("GET " + what);
  net::MemorySink sink(kMaxAnswerBytes);
  Result<net::Response> response = transport_->Send(http, &sink);
  if (!response.ok()) return std::move(response).error().WithContext(what);
  if (response->status < 200 || response->status >= 300) {
    return Error(ErrorCode::kHttp, "HTTP " + std::to_string(response->status))
        .set_http_status(response->status)
        .WithContext(what);
  }
  Result<Credentials> got = ParseContainerCredentials(sink.data());
  if (!got.ok()) return std::move(got).error().WithContext(what);
  got->provider = Name() + " (" + ep.variable + ")";
  return got;
}

}  // namespace s3us::aws

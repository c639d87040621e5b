// Container credentials: what an ECS task or an EKS pod (Pod Identity) is given, from the
// endpoint the container's environment names, read as botocore and the AWS CLI read it.
//
// AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is a path on the ECS endpoint http://169.254.170.2;
// otherwise AWS_CONTAINER_CREDENTIALS_FULL_URI is the whole URL: https anywhere, plain http
// only to a loopback address or the ECS / EKS link-local endpoints (169.254.170.2,
// 169.254.170.23, fd00:ec2::23), so that a variable cannot send the request in clear text
// across a network. The Authorization header is the content of
// AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (read on every fetch: EKS rotates it), else
// AWS_CONTAINER_AUTHORIZATION_TOKEN; a token holding a line break is refused. The answer is
// JSON with AccessKeyId, SecretAccessKey, Token and an ISO 8601 Expiration.
//
// Not responsible for caching (CachingProvider) or retries (the transport's). Messages name
// the variable and the endpoint's scheme and host, never the path, token or answer.
// Thread-safe.
#ifndef S3US_AWS_CONTAINER_CREDENTIALS_H_
#define S3US_AWS_CONTAINER_CREDENTIALS_H_

#include <optional>
#include <string>

#include "aws/environment.h"
#include "aws/role_providers.h"
#include "net/transport.h"

namespace s3us::aws {

// The ECS agent's endpoint, for AWS_CONTAINER_CREDENTIALS_RELATIVE_URI.
inline constexpr const char* kEcsCredentialsEndpoint = "http://169.254.170.2";
// botocore's per-attempt timeout: the endpoint is on the host or link-local.
inline constexpr Clock::Duration kContainerRequestTimeout = std::chrono::seconds(2);

// Where the environment says the credentials are.
struct ContainerEndpoint {
  std::string url;       // the whole URL to GET
  std::string variable;  // the variable that named it, for messages
  std::string origin;    // "http://169.254.170.2": scheme and host, for messages
};

// Empty when neither variable is set (blank counts as unset); kInvalidInput for a FULL_URI
// that is not an http(s) URL or sends plain http to a host that is not allowed.
Result<std::optional<ContainerEndpoint>> FindContainerEndpoint(const Environment& env);

// Parses the endpoint's answer. Exposed for tests.
Result<Credentials> ParseContainerCredentials(std::string_view json);

class ContainerCredentialProvider : public CachingProvider {
 public:
  // `transport` may be null (commands without network access): a configured endpoint is
  // then kUnsupported. `transport` and `clock` must outlive the provider.
  ContainerCredentialProvider(Environment env, net::Transport* transport, Clock& clock,
                              Deadline deadline)
      : CachingProvider(clock), env_(std::move(env)), transport_(transport), deadline_(deadline) {}
  std::string Name() const override { return "container credentials"; }

 private:
  Result<Credentials> Fetch() override;
  Result<std::optional<std::string>> AuthorizationToken() const;

  Environment env_;
  net::Transport* transport_;
  Deadline deadline_;
};

}  // namespace s3us::aws

#endif  // S3US_AWS_CONTAINER_CREDENTIALS_H_

#include "aws/profile_provider.h"

#include "aws/container_credentials.h"
#include "aws/credential_providers.h"
#include "aws/process_credentials.h"
#include "aws/role_providers.h"
#include "aws/sso_credentials.h"
#include "aws/sts_client.h"

namespace s3us::aws {

ProfileCredentialProvider::ProfileCredentialProvider(AwsConfig config, Environment env,
                                                     Clock& clock, CredentialNetwork network)
    : config_(std::move(config)), env_(std::move(env)), clock_(clock), network_(network) {}

Result<std::shared_ptr<CredentialProvider>> ProfileCredentialProvider::Build(
    const SourcePlan& plan) {
  const BaseSource& base = plan.base;
  bool needs_network =
      base.kind == SourceKind::kWebIdentity || base.kind == SourceKind::kSso || !plan.roles.empty();
  if (needs_network && network_.transport == nullptr) {
    return Error(ErrorCode::kUnsupported, "no network access to reach STS or the SSO portal");
  }
  std::shared_ptr<StsClient> sts;
  if (network_.transport != nullptr) {
    sts = std::make_shared<StsClient>(*network_.transport, clock_, StsEndpoint(config_),
                                      network_.deadline);
  }
  std::shared_ptr<CredentialProvider> provider;
  switch (base.kind) {
    case SourceKind::kStatic:
      provider =
          std::make_shared<FixedCredentialProvider>(base.keys, "profile '" + base.profile + "'");
      break;
    case SourceKind::kWebIdentity:
      provider = std::make_shared<WebIdentityProvider>(env_, base.token_file, base.role,
                                                       base.origin, sts, clock_);
      break;
    case SourceKind::kSso:
      provider = std::make_shared<SsoCredentialProvider>(
          base.sso, base.profile, env_, SsoPortalEndpoint(config_, base.sso.region),
          *network_.transport, clock_, network_.deadline);
      break;
    case SourceKind::kProcess:
      provider = std::make_shared<ProcessCredentialProvider>(base.command, base.profile, clock_,
                                                             network_.deadline);
      break;
    case SourceKind::kEnvironment:
      provider = std::make_shared<EnvironmentCredentialProvider>(env_);
      break;
    case SourceKind::kContainer:
      provider = std::make_shared<ContainerCredentialProvider>(env_, network_.transport, clock_,
                                                               network_.deadline);
      break;
    case SourceKind::kImds:
      if (!network_.imds) {
        std::string why =
            config_.imds.disabled ? config_.imds.disabled_reason : "no instance metadata client";
        return Error(ErrorCode::kImdsUnavailable, "profile '" + base.profile +
                                                      "' uses credential_source "
                                                      "Ec2InstanceMetadata, but instance "
                                                      "metadata is disabled (" +
                                                      why + ")");
      }
      provider = network_.imds;
      break;
  }
  for (const RoleStep& step : plan.roles) {
    provider =
        std::make_shared<AssumeRoleProvider>(provider, step.params, step.profile, sts, clock_);
  }
  return provider;
}

Result<Credentials> ProfileCredentialProvider::Get(bool force_refresh) {
  std::shared_ptr<CredentialProvider> provider;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!built_) {
      Result<SourcePlan> plan = ResolveProfileSources(config_.shared, env_, clock_.Now());
      if (!plan.ok()) return std::move(plan).error();
      Result<std::shared_ptr<CredentialProvider>> made = Build(*plan);
      if (!made.ok()) return std::move(made).error();
      built_ = std::move(*made);
    }
    provider = built_;
  }
  return provider->Get(force_refresh);
}

}  // namespace s3us::aws

// ProfileCredentialProvider: the selected profile's credentials, whichever source it names
// (profile_sources.h): static keys, web identity, AssumeRole chains over source_profile or
// credential_source, IAM Identity Center, credential_process; plus web identity from the
// environment (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN), which applies to it.
//
// The plan is resolved on the first Get() and the providers built then are kept, so
// refreshes re-run the same steps (re-reading the token file, calling STS or the portal
// again). kNoCredentials when nothing is configured; any other error means the configured
// source failed and stops the chain. Thread-safe.
#ifndef S3US_AWS_PROFILE_PROVIDER_H_
#define S3US_AWS_PROFILE_PROVIDER_H_

#include <memory>
#include <mutex>
#include <string>

#include "aws/aws_config.h"
#include "aws/credentials.h"
#include "aws/environment.h"
#include "aws/profile_sources.h"
#include "net/transport.h"

namespace s3us::aws {

// What network sources need; `transport` null means none is available (unit tests).
struct CredentialNetwork {
  net::Transport* transport = nullptr;
  Deadline deadline;
  std::shared_ptr<CredentialProvider> imds;  // for credential_source Ec2InstanceMetadata
};

class ProfileCredentialProvider : public CredentialProvider {
 public:
  // `clock` must outlive the provider, and so must `network.transport`.
  ProfileCredentialProvider(AwsConfig config, Environment env, Clock& clock,
                            CredentialNetwork network = {});
  Result<Credentials> Get(bool force_refresh = false) override;
  std::string Name() const override { return config_.shared.Describe(); }

 private:
  Result<std::shared_ptr<CredentialProvider>> Build(const SourcePlan& plan);

  AwsConfig config_;
  Environment env_;
  Clock& clock_;
  CredentialNetwork network_;
  std::mutex mu_;
  std::shared_ptr<CredentialProvider> built_;
};

}  // namespace s3us::aws

#endif  // S3US_AWS_PROFILE_PROVIDER_H_

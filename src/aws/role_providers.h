// The credential providers that ask AWS STS: a web identity token exchanged with
// AssumeRoleWithWebIdentity, and a role assumed with AssumeRole using a source provider's
// credentials; plus the fixed and caching providers that connect the steps of a chain.
//
// Not responsible for deciding which source applies (profile_sources.h). Each provider
// caches its answer until kCredentialRefreshWindow before it expires (intermediate steps
// of a role chain are not cached by the CredentialChain). Thread-safe.
#ifndef S3US_AWS_ROLE_PROVIDERS_H_
#define S3US_AWS_ROLE_PROVIDERS_H_

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "aws/credentials.h"
#include "aws/environment.h"
#include "aws/sts_client.h"

namespace s3us::aws {

// Always answers the same credentials (static keys from a profile).
class FixedCredentialProvider : public CredentialProvider {
 public:
  FixedCredentialProvider(Credentials c, std::string name)
      : credentials_(std::move(c)), name_(std::move(name)) {}
  Result<Credentials> Get(bool) override { return credentials_; }
  std::string Name() const override { return name_; }

 private:
  Credentials credentials_;
  std::string name_;
};

// Caches what `fetch` returns until 15 minutes before its expiration (forever without one).
class CachingProvider : public CredentialProvider {
 public:
  CachingProvider(Clock& clock) : clock_(clock) {}
  Result<Credentials> Get(bool force_refresh = false) final;

 protected:
  virtual Result<Credentials> Fetch() = 0;

 private:
  Clock& clock_;
  std::mutex mu_;
  std::optional<Credentials> cached_;
};

// Reads the token file on every fetch (Kubernetes rotates it) and calls
// AssumeRoleWithWebIdentity. kInvalidInput for a missing or empty token file.
class WebIdentityProvider : public CachingProvider {
 public:
  WebIdentityProvider(Environment env, std::string token_file, AssumeRoleParams role,
                      std::string origin, std::shared_ptr<StsClient> sts, Clock& clock)
      : CachingProvider(clock),
        env_(std::move(env)),
        token_file_(std::move(token_file)),
        role_(std::move(role)),
        origin_(std::move(origin)),
        sts_(std::move(sts)) {}
  std::string Name() const override { return "web identity (" + origin_ + ")"; }

 private:
  Result<Credentials> Fetch() override;

  Environment env_;
  std::string token_file_;
  AssumeRoleParams role_;
  std::string origin_;
  std::shared_ptr<StsClient> sts_;
};

// AssumeRole with the credentials of `source`. A source without credentials is an error
// (kInvalidInput naming the profile), not a pass to the next provider.
class AssumeRoleProvider : public CachingProvider {
 public:
  AssumeRoleProvider(std::shared_ptr<CredentialProvider> source, AssumeRoleParams role,
                     std::string profile, std::shared_ptr<StsClient> sts, Clock& clock)
      : CachingProvider(clock),
        source_(std::move(source)),
        role_(std::move(role)),
        profile_(std::move(profile)),
        sts_(std::move(sts)) {}
  std::string Name() const override { return "assume role (profile '" + profile_ + "')"; }

 private:
  Result<Credentials> Fetch() override;

  std::shared_ptr<CredentialProvider> source_;
  AssumeRoleParams role_;
  std::string profile_;
  std::shared_ptr<StsClient> sts_;
};

}  // namespace s3us::aws

#endif  // S3US_AWS_ROLE_PROVIDERS_H_

// CredentialChain: asks credential providers in order, keeps the first answer, and
// refreshes it before it expires.
//
// A provider answering kNoCredentials passes to the next; any other error stops the chain
// (a misconfigured source is reported, not skipped). Either way the chain's error is
// kNoCredentials, naming the failing source and the ones tried before it. The first answer
// (and a change of source) is logged at info level, naming the provider. Once one answers, the
// chain sticks to it: Get() returns the cached credentials until they are within
// kCredentialRefreshWindow of their expiration, then asks that provider again with force_refresh.
// If that refresh fails while the old credentials have not expired yet, they are kept (logged) and
// the refresh is retried a minute later. Get(true) always fetches anew. Thread-safe: one mutex,
// held across provider calls, so concurrent callers share one refresh.
#ifndef S3US_AWS_CREDENTIAL_CHAIN_H_
#define S3US_AWS_CREDENTIAL_CHAIN_H_

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "aws/aws_config.h"
#include "aws/credentials.h"
#include "aws/environment.h"
#include "core/clock.h"
#include "net/transport.h"

namespace s3us::aws {

inline constexpr Clock::Duration kCredentialRefreshWindow = std::chrono::minutes(15);
// The least time between two refresh attempts of credentials that are still valid.
inline constexpr Clock::Duration kCredentialRetryInterval = std::chrono::minutes(1);

class CredentialChain : public CredentialProvider {
 public:
  // `clock` must outlive the chain.
  CredentialChain(std::vector<std::shared_ptr<CredentialProvider>> providers, Clock& clock);

  // A source left out of the chain, named in the "no credentials" error
  // ("instance role (IMDS): AWS_EC2_METADATA_DISABLED is true").
  void AddSkippedSource(std::string note);

  // kNoCredentials listing why each source had none; other errors as the provider gave
  // them, with context naming the provider. Forced refreshes within kForcedRefreshCoalesce
  // of a successful one return it: when S3 rejects a token, every request in flight asks
  // at once, and one fetch serves them all.
  Result<Credentials> Get(bool force_refresh = false) override;
  static constexpr Clock::Duration kForcedRefreshCoalesce{2000};
  std::string Name() const override { return "credential chain"; }

 private:
  Result<Credentials> Walk(bool force_refresh);
  bool Fresh(Clock::WallTime now) const;
  void Store(const Credentials& c, Clock::WallTime now);

  std::vector<std::shared_ptr<CredentialProvider>> providers_;
  std::vector<std::string> skipped_;
  Clock& clock_;
  std::mutex mu_;
  std::optional<Credentials> cached_;
  size_t source_ = kNone;  // index of the provider that answered
  Clock::WallTime refresh_at_{};
  std::optional<Clock::MonoTime> forced_at_;  // last successful forced refresh
  static constexpr size_t kNone = static_cast<size_t>(-1);
};

// The chain s3-user-script uses: environment, then the selected profile with every source
// it can name and web identity from the environment (profile_provider.h), then container
// credentials (container_credentials.h), then `imds` (the instance role provider; may be
// null) unless config.imds.disabled. STS, the SSO portal, the container endpoint and
// credential_process use `transport` (null: those sources fail) and `deadline`.
std::unique_ptr<CredentialChain> MakeDefaultCredentialChain(
    const AwsConfig& config, const Environment& env, std::shared_ptr<CredentialProvider> imds,
    Clock& clock, net::Transport* transport = nullptr, Deadline deadline = {});

}  // namespace s3us::aws

#endif  // S3US_AWS_CREDENTIAL_CHAIN_H_

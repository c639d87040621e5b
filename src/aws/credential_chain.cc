#include "aws/credential_chain.h"

#include <algorithm>

#include "aws/container_credentials.h"
#include "aws/credential_providers.h"
#include "aws/profile_provider.h"
#include "core/log.h"

namespace s3us::aws {

CredentialChain::CredentialChain(std::vector<std::shared_ptr<CredentialProvider>> providers,
                                 Clock& clock)
    : providers_(std::move(providers)), clock_(clock) {}

void CredentialChain::AddSkippedSource(std::string note) {
  std::lock_guard<std::mutex> lock(mu_);
  skipped_.push_back(std::move(note));
}

bool CredentialChain::Fresh(Clock::WallTime now) const {
  if (!cached_) return false;
  if (!cached_->expiration) return true;
  // Until refresh_at_, also when already expired: such credentials are asked for again
  // once per retry interval (S3 decides whether it takes them), not for every request.
  return now < refresh_at_;
}

void CredentialChain::Store(const Credentials& c, Clock::WallTime now) {
  cached_ = c;
  if (c.expiration) {
    // Credentials handed out already inside the window are used, and refreshed no more
    // often than once per retry interval.
    refresh_at_ =
        std::max(*c.expiration - kCredentialRefreshWindow, now + kCredentialRetryInterval);
  }
}

namespace {

std::string ListTried(const std::vector<std::string>& reasons) {
  std::string out;
  for (size_t i = 0; i < reasons.size(); ++i) out += (i == 0 ? " (" : "; ") + reasons[i];
  if (!reasons.empty()) out += ")";
  return out;
}

// Every way of not getting credentials is one kNoCredentials error (a setup failure for the
// command line), naming the source that failed and what was tried before it.
Error CouldNotGet(const std::string& provider, const Error& cause,
                  const std::vector<std::string>& tried, std::string_view verb = "get") {
  std::string before = tried.empty() ? "" : "; tried before it" + ListTried(tried);
  Error e(ErrorCode::kNoCredentials, "could not " + std::string(verb) + " credentials from " +
                                         provider + ": " + cause.ToString() + before);
  if (cause.http_status() != 0) e.set_http_status(cause.http_status());
  if (!cause.aws_code().empty()) e.set_aws_code(cause.aws_code());
  return e;
}

}  // namespace

Result<Credentials> CredentialChain::Walk(bool force_refresh) {
  std::vector<std::string> reasons;
  for (size_t i = 0; i < providers_.size(); ++i) {
    Result<Credentials> got = providers_[i]->Get(force_refresh);
    if (got.ok()) {
      if (source_ != i) LogInfo("credentials from " + got->provider);
      source_ = i;
      return got;
    }
    if (got.error().code() != ErrorCode::kNoCredentials) {
      return CouldNotGet(providers_[i]->Name(), got.error(), reasons);
    }
    reasons.push_back(providers_[i]->Name() + ": " + got.error().message());
  }
  reasons.insert(reasons.end(), skipped_.begin(), skipped_.end());
  return Error(ErrorCode::kNoCredentials, "no credentials found" + ListTried(reasons));
}

Result<Credentials> CredentialChain::Get(bool force_refresh) {
  std::lock_guard<std::mutex> lock(mu_);
  Clock::WallTime now = clock_.Now();
  if (!force_refresh && Fresh(now)) return *cached_;
  Clock::MonoTime mono = clock_.Monotonic();
  if (force_refresh && cached_ && forced_at_ && mono < *forced_at_ + kForcedRefreshCoalesce) {
    return *cached_;
  }

  bool refreshing = source_ != kNone;
  Result<Credentials> got = Error(ErrorCode::kNoCredentials, "");
  if (refreshing) {
    got = providers_[source_]->Get(/*force_refresh=*/true);
    if (!got.ok() && got.error().code() == ErrorCode::kNoCredentials) {
      source_ = kNone;
    } else if (!got.ok()) {
      got = CouldNotGet(providers_[source_]->Name(), got.error(), {}, "refresh");
    }
  }
  if (source_ == kNone) got = Walk(force_refresh || refreshing);
  if (got.ok()) {
    Store(*got, now);
    if (force_refresh) forced_at_ = mono;
    return got;
  }
  if (!force_refresh && cached_ && cached_->expiration && now < *cached_->expiration) {
    LogWarning(got.error().ToString() + "; using the current credentials until they expire");
    refresh_at_ = now + kCredentialRetryInterval;
    return *cached_;
  }
  return got;
}

std::unique_ptr<CredentialChain> MakeDefaultCredentialChain(
    const AwsConfig& config, const Environment& env, std::shared_ptr<CredentialProvider> imds,
    Clock& clock, net::Transport* transport, Deadline deadline) {
  CredentialNetwork network{transport, deadline, config.imds.disabled ? nullptr : imds};
  std::vector<std::shared_ptr<CredentialProvider>> providers = {
      std::make_shared<EnvironmentCredentialProvider>(env),
      std::make_shared<ProfileCredentialProvider>(config, env, clock, network),
      std::make_shared<ContainerCredentialProvider>(env, transport, clock, deadline)};
  std::string skipped;
  if (config.imds.disabled) {
    skipped = "instance role (IMDS): " + config.imds.disabled_reason;
  } else if (imds) {
    providers.push_back(std::move(imds));
  }
  auto chain = std::make_unique<CredentialChain>(std::move(providers), clock);
  if (!skipped.empty()) chain->AddSkippedSource(std::move(skipped));
  return chain;
}

}  // namespace s3us::aws

#include "aws/credential_chain.h"

#include <algorithm>

#include "aws/credential_providers.h"
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
  return now < *cached_->expiration && now < refresh_at_;
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

Result<Credentials> CredentialChain::Walk(bool force_refresh) {
  std::vector<std::string> reasons;
  for (size_t i = 0; i < providers_.size(); ++i) {
    Result<Credentials> got = providers_[i]->Get(force_refresh);
    if (got.ok()) {
      source_ = i;
      return got;
    }
    if (got.error().code() != ErrorCode::kNoCredentials) {
      return std::move(got).error().WithContext("getting credentials from " +
                                                providers_[i]->Name());
    }
    reasons.push_back(providers_[i]->Name() + ": " + got.error().message());
  }
  reasons.insert(reasons.end(), skipped_.begin(), skipped_.end());
  std::string message = "no credentials found";
  for (size_t i = 0; i < reasons.size(); ++i) message += (i == 0 ? " (" : "; ") + reasons[i];
  if (!reasons.empty()) message += ")";
  return Error(ErrorCode::kNoCredentials, message);
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
    if (!got.ok()) {
      got.error().WithContext("refreshing credentials from " + providers_[source_]->Name());
    }
    if (!got.ok() && got.error().code() == ErrorCode::kNoCredentials) source_ = kNone;
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
    Clock& clock) {
  std::vector<std::shared_ptr<CredentialProvider>> providers = {
      std::make_shared<EnvironmentCredentialProvider>(env),
      std::make_shared<ProfileCredentialProvider>(config.shared)};
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

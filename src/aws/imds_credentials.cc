#include "aws/imds_credentials.h"

#include "aws/aws_time.h"
#include "core/log.h"

namespace s3us::aws {

ImdsCredentialProvider::ImdsCredentialProvider(ImdsClient& imds, Clock& clock,
                                               ImdsCredentialOptions options)
    : imds_(imds), clock_(clock), options_(options) {}

void ImdsCredentialProvider::SetRole(std::string role) {
  std::lock_guard<std::mutex> lock(mu_);
  role_ = std::move(role);
}

Result<Credentials> ImdsCredentialProvider::Fetch() {
  if (!role_.empty()) return imds_.GetRoleCredentials(role_);
  Result<std::string> role = imds_.GetRoleName();
  if (!role.ok()) return std::move(role).error();
  return imds_.GetRoleCredentials(*role);
}

Result<Credentials> ImdsCredentialProvider::Get(bool force_refresh) {
  std::lock_guard<std::mutex> lock(mu_);
  Clock::WallTime now = clock_.Now();
  Clock::MonoTime mono = clock_.Monotonic();
  bool valid = cached_ && cached_->expiration && now < *cached_->expiration;
  if (!force_refresh && cached_) {
    // Credentials IMDS handed out moment ago are used even when already inside the refresh
    // window (or expired): asking again at once would only hammer IMDS.
    bool fresh = valid && now < *cached_->expiration - options_.refresh_before;
    bool tried_recently = last_attempt_ && mono < *last_attempt_ + options_.retry_after;
    if (fresh || tried_recently) return *cached_;
  }
  Result<Credentials> fetched = Fetch();
  // Measured from the end: a refresh may itself have waited for IMDS.
  last_attempt_ = clock_.Monotonic();
  if (fetched.ok()) {
    cached_ = *fetched;
    return fetched;
  }
  if (!force_refresh && valid) {
    LogWarning("refreshing the instance role credentials failed (" + fetched.error().ToString() +
               "); using the current ones, valid until " + FormatIso8601(*cached_->expiration));
    return *cached_;
  }
  return std::move(fetched).error().WithContext("getting instance role credentials");
}

}  // namespace s3us::aws

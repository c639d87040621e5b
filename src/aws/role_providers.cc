#include "aws/role_providers.h"

#include "aws/credential_chain.h"
#include "core/strings.h"

namespace s3us::aws {

Result<Credentials> CachingProvider::Get(bool force_refresh) {
  std::lock_guard<std::mutex> lock(mu_);
  Clock::WallTime now = clock_.Now();
  if (!force_refresh && cached_ &&
      (!cached_->expiration || now < *cached_->expiration - kCredentialRefreshWindow)) {
    return *cached_;
  }
  Result<Credentials> got = Fetch();
  if (got.ok()) cached_ = *got;
  return got;
}

Result<Credentials> WebIdentityProvider::Fetch() {
  std::string what = Name() + ": token file " + token_file_;
  Result<std::optional<std::string>> text = env_.ReadFile(token_file_);
  if (!text.ok()) return std::move(text).error().WithContext(what);
  if (!text->has_value()) return Error(ErrorCode::kInvalidInput, what + " does not exist");
  Secret token{std::string(Trim(**text))};
  if (token.empty()) return Error(ErrorCode::kInvalidInput, what + " is empty");
  Result<Credentials> got = sts_->AssumeRoleWithWebIdentity(role_, token);
  if (!got.ok()) return std::move(got).error().WithContext(Name());
  got->provider = Name() + " as " + got->provider;
  return got;
}

Result<Credentials> AssumeRoleProvider::Fetch() {
  Result<Credentials> source = source_->Get();
  if (!source.ok()) {
    Error e = std::move(source).error();
    std::string context = Name() + ": source " + source_->Name();
    if (e.code() == ErrorCode::kNoCredentials) {
      return Error(ErrorCode::kInvalidInput, context + " has no credentials: " + e.message());
    }
    return std::move(e).WithContext(context);
  }
  Result<Credentials> got = sts_->AssumeRole(*source, role_);
  if (!got.ok()) return std::move(got).error().WithContext(Name());
  got->provider = Name() + " as " + got->provider + " from " + source->provider;
  return got;
}

}  // namespace s3us::aws

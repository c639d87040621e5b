// ImdsCredentialProvider: the instance role's credentials from IMDS, cached.
//
// Get() returns the cached credentials until 15 minutes (refresh_before) before their
// Expiration, then fetches the role and its credentials again. When that refresh fails and
// the cached credentials have not expired yet, they are kept (static stability: IMDS may be
// briefly unavailable) and the refresh is tried again after `retry_after`. Get(true)
// always fetches (after S3 said ExpiredToken). Errors: kNoCredentials (no role, or IMDS
// reports a failure), kImdsUnavailable, kInvalidInput (malformed document). Thread-safe.
#ifndef S3US_AWS_IMDS_CREDENTIALS_H_
#define S3US_AWS_IMDS_CREDENTIALS_H_

#include <mutex>
#include <optional>
#include <string>

#include "aws/credentials.h"
#include "aws/imds_client.h"
#include "core/clock.h"

namespace s3us::aws {

struct ImdsCredentialOptions {
  Clock::Duration refresh_before{std::chrono::minutes(15)};
  // Least time between two refresh attempts while the cached credentials are still valid.
  Clock::Duration retry_after{std::chrono::minutes(1)};
};

class ImdsCredentialProvider : public CredentialProvider {
 public:
  ImdsCredentialProvider(ImdsClient& imds, Clock& clock, ImdsCredentialOptions options = {});

  Result<Credentials> Get(bool force_refresh = false) override;
  std::string Name() const override { return "imds"; }
  // The role name already read from IMDS (instance facts): saves one round trip per fetch.
  void SetRole(std::string role);

 private:
  Result<Credentials> Fetch();

  ImdsClient& imds_;
  Clock& clock_;
  ImdsCredentialOptions options_;
  std::mutex mu_;
  std::optional<Credentials> cached_;
  std::optional<Clock::MonoTime> last_attempt_;
  std::string role_;  // known role name; empty: ask IMDS
};

}  // namespace s3us::aws

#endif  // S3US_AWS_IMDS_CREDENTIALS_H_

// Credentials and where they come from (environment, shared files, IMDS role).
//
// Credentials have no printable form: the secret and the token are Secrets. Providers are
// thread-safe and cache: Get() returns cached credentials until they are within the
// refresh window of their expiration; Get(/*force_refresh=*/true) fetches anew (used once
// after S3 answers ExpiredToken/InvalidToken).
#ifndef S3US_AWS_CREDENTIALS_H_
#define S3US_AWS_CREDENTIALS_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/secret.h"

namespace s3us::aws {

struct Credentials {
  std::string access_key_id;
  Secret secret_access_key;
  Secret session_token;  // empty for long-term keys
  std::optional<Clock::WallTime> expiration;
  std::string provider;  // "environment", "profile default", "imds role web-role"
};

class CredentialProvider {
 public:
  virtual ~CredentialProvider() = default;
  // kNoCredentials when this source has none; other codes when it failed.
  virtual Result<Credentials> Get(bool force_refresh = false) = 0;
  virtual std::string Name() const = 0;
};

}  // namespace s3us::aws

#endif  // S3US_AWS_CREDENTIALS_H_

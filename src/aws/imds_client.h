// ImdsClient: the EC2 instance metadata service, IMDSv2 (session token) first.
//
// Gets a token (PUT /latest/api/token), reuses it until shortly before it expires, takes one
// new token on a 401, and falls back to IMDSv1 only when the options allow it. At boot IMDS
// may not answer yet: connection failures, time-outs and 5xx are retried by net's one retry
// policy (doubling backoff on the Clock, no jitter: IMDS is the instance's own) until
// `wait_for_imds` or the command's deadline has passed. It does not resolve the endpoint
// (the caller passes it) and does not retry anything else. Tokens and credentials are never
// logged nor put in errors. Thread-safe; one token request at a time.
#ifndef S3US_AWS_IMDS_CLIENT_H_
#define S3US_AWS_IMDS_CLIENT_H_

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "aws/credentials.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/instance.h"
#include "core/secret.h"
#include "net/retry.h"
#include "net/transport.h"

namespace s3us::aws {

inline constexpr std::string_view kDefaultImdsEndpoint = "http://169.254.169.254";

// What one IMDS answer may hold: metadata documents are a few KiB (credentials about 1.3);
// user data is read up to the limit of a user-data file. Past it the answer is an error,
// so an endless or huge answer costs no more memory than this.
inline constexpr uint64_t kMaxImdsAnswerBytes = uint64_t{1} << 20;
inline constexpr uint64_t kMaxImdsUserDataBytes = uint64_t{16} << 20;
// A session token is 56 characters; one longer than this, or not printable ASCII, is not
// sent back (it goes into a header of every request).
inline constexpr size_t kMaxImdsTokenBytes = 4096;

struct ImdsOptions {
  // X-aws-ec2-metadata-token-ttl-seconds, 1…21600.
  std::chrono::seconds token_ttl{21600};
  // Use IMDSv1 when the token PUT is refused (403/404/405). Off: that is an error.
  bool allow_imdsv1 = false;
  // Cap for one exchange.
  Clock::Duration request_timeout{2000};
  // How long one call keeps retrying while IMDS does not answer (connection refused,
  // time-out, 5xx): the boot-time wait, never past `deadline`.
  Clock::Duration wait_for_imds{std::chrono::seconds(60)};
  // The command's one deadline (--deadline): no call, wait included, runs past it.
  Deadline deadline;
  // Backoff between those retries: doubles from `retry_base` up to `retry_cap`.
  Clock::Duration retry_base{100};
  Clock::Duration retry_cap{2000};
};

// IAM's rule for role names, [\w+=,.@-]{1,64}: what IMDS names goes into a request path, and
// anything else is not a role. NoRoleName is the error for one that is not.
bool IsIamRoleName(std::string_view name);
Error NoRoleName(std::string_view name);

// What IMDS hands out for the instance role.
struct ImdsRoleCredentials {
  Credentials credentials;
  std::string role;
};

class ImdsClient {
 public:
  // `endpoint`: base URL without trailing path ("http://169.254.169.254",
  // "http://[fd00:ec2::254]", "http://127.0.0.1:1338").
  ImdsClient(std::string endpoint, net::Transport& transport, Clock& clock,
             ImdsOptions options = {});

  // The body of GET `path` ("/latest/meta-data/instance-id"). kNotFound on 404,
  // kImdsUnavailable when IMDS did not answer in time or refused tokens, kLimitExceeded
  // past `max_bytes`, kHttp otherwise.
  Result<std::string> Get(std::string_view path, uint64_t max_bytes = kMaxImdsAnswerBytes);

  // The instance profile's role name. kNoCredentials when the instance has none,
  // kInvalidInput for a name IAM would not allow.
  Result<std::string> GetRoleName();
  // The role's current credentials (all four fields required, Expiration parsed).
  // kNoCredentials when IMDS reports a failure Code, kInvalidInput for a malformed document.
  Result<Credentials> GetRoleCredentials(std::string_view role);
  // The raw user data; empty (not an error) when the instance has none (404).
  Result<std::string> GetUserData();

  // What a caller needs beyond the role, instance id, region, zone and account. Each is a
  // request; leaving it out keeps it off the wire (the field keeps its default).
  struct FactsWanted {
    bool instance_type = true;  // a key template names {instance_type}
    bool domain = true;         // services/domain and /partition: the S3 endpoint is derived
  };

  // InstanceFacts in two round trips: the token, then the identity document (instance id,
  // region, zone, type, account), the role list and, if wanted, services/domain and
  // /partition at once. Individual paths are read only if the identity document lacks
  // them (the type only if wanted). A missing role, account, type, domain or partition
  // leaves the field empty or at its default; a missing instance id or region, or IMDS not
  // answering, is an error.
  Result<InstanceFacts> FetchInstanceFacts(const FactsWanted& wanted);
  Result<InstanceFacts> FetchInstanceFacts() { return FetchInstanceFacts(FactsWanted{}); }

  // meta-data/ami-launch-index as cloud-init's safe_int() reads it: unset when absent (404)
  // or not a number. Asked only when a part names a Launch-Index. IMDS's errors as Get's.
  Result<std::optional<int>> GetLaunchIndex();

  // Obtains (or reuses) the session token, so concurrent GETs that follow share it.
  Status AcquireToken();

 private:
  // One exchange, retried while IMDS is unreachable or answers 5xx or 429, until
  // `deadline`; an IMDS that never answered becomes kImdsUnavailable. A 2xx body is in
  // Response::body, at most `max_bytes` of it (kLimitExceeded past that), and only when its
  // framing proved it whole (kImdsUnavailable for a close-delimited one).
  Result<net::Response> SendWithWait(net::Request request, const Deadline& deadline,
                                     std::string_view what, uint64_t max_bytes);
  // Where the call that starts now gives up: the boot-time wait or the command's deadline.
  Deadline CallDeadline();
  // Empty token in IMDSv1 mode.
  Result<std::string> Token(const Deadline& deadline);
  void InvalidateToken(const std::string& token);

  std::string endpoint_;
  Clock& clock_;
  ImdsOptions options_;
  net::RetryingTransport transport_;

  std::mutex token_mu_;  // held while a token is fetched: one PUT at a time
  std::optional<Secret> token_;
  Clock::MonoTime token_refresh_at_{};
  // Why the last token request failed: what a later call already past its deadline reports,
  // rather than "deadline already passed", which says nothing of IMDS.
  std::optional<Error> token_failure_;
  bool v1_ = false;
};

}  // namespace s3us::aws

#endif  // S3US_AWS_IMDS_CLIENT_H_

#include "aws/imds_client.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "aws/credential_document.h"
#include "aws/json_field.h"
#include "core/log.h"
#include "core/secret.h"
#include "core/strings.h"
#include "net/sinks.h"
#include "net/verifying_sink.h"

namespace s3us::aws {
namespace {

constexpr std::string_view kTokenPath = "/latest/api/token";
constexpr std::string_view kTtlHeader = "X-aws-ec2-metadata-token-ttl-seconds";
constexpr std::string_view kTokenHeader = "X-aws-ec2-metadata-token";
constexpr std::string_view kCredentialsPath = "/latest/meta-data/iam/security-credentials/";

// "4 s", "1.5 s": a wait of 1500 ms is not "within 1 s".
std::string Seconds(Clock::Duration d) {
  const long long ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  std::string text = std::to_string(ms / 1000);
  if (ms % 1000 >= 100) text += "." + std::to_string(ms % 1000 / 100);
  return text + " s";
}

// Waiting for IMDS at boot: unlimited attempts within the deadline, the whole of it used,
// doubling from retry_base to retry_cap without jitter (no fleet shares this endpoint);
// a 429 is jittered all the same (the processes of one instance share its IMDS).
net::RetryPolicy WaitPolicy(const ImdsOptions& options) {
  net::RetryPolicy policy;
  policy.max_attempts = 0;
  policy.base = options.retry_base;
  policy.cap = options.retry_cap;
  policy.jitter = false;
  policy.use_whole_deadline = true;
  return policy;
}

// A token goes back in a header of every request: printable ASCII and short, or not at all.
bool IsUsableToken(std::string_view token) {
  return !token.empty() && token.size() <= kMaxImdsTokenBytes &&
         std::all_of(token.begin(), token.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

std::string FirstLine(std::string_view body) {
  for (std::string_view line : SplitLines(body)) {
    if (!Trim(line).empty()) return std::string(Trim(line));
  }
  return {};
}

// A 2xx body, once the one verifier S3 bodies go through has found it whole by its framing:
// IMDS always sends a Content-Length (or chunks), and a close-delimited answer cut short
// looks whole (user data cut in the middle of a line would run).
Result<std::string> WholeBody(net::VerifyingSink& sink, net::MemorySink& body,
                              const net::Response& head, const std::string& endpoint,
                              std::string_view what) {
  Result<net::VerifiedBody> verified = sink.Finish(head);
  if (!verified.ok())
    return std::move(verified).error().WithContext("IMDS answering " + std::string(what));
  if (!verified->end_framed) {
    return Error(ErrorCode::kImdsUnavailable,
                 "IMDS at " + endpoint + " answered " + std::string(what) +
                     " close-delimited (no Content-Length: completeness unproven)");
  }
  return body.Take();
}

}  // namespace

bool IsIamRoleName(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("_+=,.@-").find(c) != std::string_view::npos;
  });
}

Error NoRoleName(std::string_view name) {
  return Error(ErrorCode::kInvalidInput, "IMDS names an instance role that is no IAM role name (" +
                                             Printable(name, 80) + ")");
}

ImdsClient::ImdsClient(std::string endpoint, net::Transport& transport, Clock& clock,
                       ImdsOptions options)
    : endpoint_(std::move(endpoint)),
      clock_(clock),
      options_(options),
      transport_(transport, clock, WaitPolicy(options)) {
  while (!endpoint_.empty() && endpoint_.back() == '/') endpoint_.pop_back();
}

Result<net::Response> ImdsClient::SendWithWait(net::Request request, const Deadline& deadline,
                                               std::string_view what, uint64_t max_bytes) {
  request.deadline = deadline;
  request.timeout = options_.request_timeout;
  request.direct = true;
  net::MemorySink memory(max_bytes);
  net::VerifyingSink sink(/*max_bytes=*/0, &memory, /*record_sha256=*/false);
  Result<net::Response> r = transport_.Send(request, &sink);
  if (r.ok() && net::IsSuccessStatus(r->status)) {
    Result<std::string> body = WholeBody(sink, memory, *r, endpoint_, what);
    if (!body.ok()) return std::move(body).error();
    r->body = std::move(*body);
  }
  if (r.ok() && !net::IsRetryableStatus(r->status)) return r;
  if (!r.ok() && r.error().code() != ErrorCode::kTransport &&
      r.error().code() != ErrorCode::kTimeout) {
    return std::move(r).error().WithContext("IMDS answering " + std::string(what));
  }
  std::string cause = r.ok() ? "HTTP " + std::to_string(r->status) : r.error().ToString();
  return Error(ErrorCode::kImdsUnavailable,
               "IMDS at " + endpoint_ + " did not answer " + std::string(what) + " within " +
                   Seconds(options_.wait_for_imds) + " (last attempt: " + cause + ")");
}

Result<std::string> ImdsClient::Token(const Deadline& deadline) {
  std::lock_guard<std::mutex> lock(token_mu_);
  if (v1_) return std::string();
  Clock::MonoTime now = clock_.Monotonic();
  if (token_ && now < token_refresh_at_) return token_->reveal();
  token_.reset();
  if (token_failure_ && deadline.Expired(clock_)) return *token_failure_;

  net::Request put;
  put.method = "PUT";
  put.url = endpoint_ + std::string(kTokenPath);
  put.headers.emplace_back(kTtlHeader, std::to_string(options_.token_ttl.count()));
  Result<net::Response> r =
      SendWithWait(std::move(put), deadline, "the token request", kMaxImdsAnswerBytes);
  if (!r.ok()) {
    token_failure_ = r.error();
    return std::move(r).error();
  }
  token_failure_.reset();
  int status = r->status;
  if (status == 200) {
    std::string token(Trim(r->body));
    if (token.empty()) {
      return Error(ErrorCode::kImdsUnavailable,
                   "IMDS at " + endpoint_ + " answered the token request with no token");
    }
    if (!IsUsableToken(token)) {
      return Error(ErrorCode::kImdsUnavailable,
                   "IMDS at " + endpoint_ + " answered the token request with an unusable token (" +
                       std::to_string(token.size()) + " bytes; at most " +
                       std::to_string(kMaxImdsTokenBytes) + " printable ASCII characters)");
    }
    token_ = Secret(std::move(token));
    // Renew a little early so a token never expires between check and use.
    Clock::Duration ttl = options_.token_ttl;
    Clock::Duration margin = std::clamp(ttl / 4, Clock::Duration(1000), Clock::Duration(60000));
    token_refresh_at_ = now + ttl - margin;
    return token_->reveal();
  }
  std::string code = "HTTP " + std::to_string(status);
  if (status == 403 || status == 404 || status == 405) {
    if (options_.allow_imdsv1) {
      LogWarning("IMDSv2 token refused (" + code +
                 "); falling back to IMDSv1 because IMDSv1 is explicitly allowed");
      v1_ = true;
      return std::string();
    }
    return Error(ErrorCode::kImdsUnavailable,
                 "IMDSv2 token refused by IMDS at " + endpoint_ + " (" + code +
                     "): IMDS is disabled or IMDSv2 is not allowed on this instance "
                     "(IMDSv1 fallback is off; --allow-imdsv1 allows it)")
        .set_http_status(status);
  }
  if (status == 400) {
    return Error(ErrorCode::kImdsUnavailable,
                 "IMDS at " + endpoint_ + " rejected the token request (HTTP 400): token TTL " +
                     std::to_string(options_.token_ttl.count()) + " s not accepted")
        .set_http_status(status);
  }
  return Error(ErrorCode::kHttp,
               "IMDS at " + endpoint_ + " answered the token request with " + code)
      .set_http_status(status);
}

void ImdsClient::InvalidateToken(const std::string& token) {
  std::lock_guard<std::mutex> lock(token_mu_);
  if (token.empty()) {
    // A 401 to an IMDSv1 request: IMDSv2 has become required.
    v1_ = false;
  } else if (token_ && token_->reveal() == token) {
    token_.reset();
  }
}

Deadline ImdsClient::CallDeadline() {
  return Deadline::After(clock_, options_.wait_for_imds).EarlierOf(options_.deadline);
}

Status ImdsClient::AcquireToken() {
  Result<std::string> token = Token(CallDeadline());
  if (!token.ok()) return std::move(token).error();
  return Ok();
}

Result<std::string> ImdsClient::Get(std::string_view path, uint64_t max_bytes) {
  Deadline deadline = CallDeadline();
  std::string what = "GET " + std::string(path);
  for (int attempt = 0;; ++attempt) {
    Result<std::string> token = Token(deadline);
    if (!token.ok()) return std::move(token).error().WithContext(what);
    net::Request get;
    get.url = endpoint_ + std::string(path);
    if (!token->empty()) get.headers.emplace_back(kTokenHeader, *token);
    Result<net::Response> r = SendWithWait(std::move(get), deadline, what, max_bytes);
    if (!r.ok()) return std::move(r).error();
    int status = r->status;
    if (status == 200) return std::move(r->body);
    std::string code = "HTTP " + std::to_string(status);
    if (status == 401 && attempt == 0) {
      LogDebug("IMDS " + what + ": HTTP 401, taking a new token");
      InvalidateToken(*token);
      continue;
    }
    if (status == 401) {
      return Error(
                 ErrorCode::kImdsUnavailable,
                 "IMDS at " + endpoint_ + " rejected a fresh token for " + what + " (" + code + ")")
          .set_http_status(status);
    }
    if (status == 404) {
      return Error(ErrorCode::kNotFound, "IMDS has no " + std::string(path) + " (" + code + ")")
          .set_http_status(status);
    }
    if (status == 403) {
      return Error(ErrorCode::kImdsUnavailable, "IMDS at " + endpoint_ + " refused " + what + " (" +
                                                    code + "): instance metadata access is off")
          .set_http_status(status);
    }
    return Error(ErrorCode::kHttp, "IMDS at " + endpoint_ + " answered " + what + " with " + code)
        .set_http_status(status);
  }
}

Result<std::string> ImdsClient::GetRoleName() {
  Result<std::string> listing = Get(kCredentialsPath);
  const std::string no_role =
      "the instance has no IAM role (instance profile); attach an instance profile whose role "
      "may s3:GetObject the objects";
  if (!listing.ok()) {
    if (listing.error().code() == ErrorCode::kNotFound) {
      return Error(ErrorCode::kNoCredentials, no_role);
    }
    return std::move(listing).error();
  }
  std::string role = FirstLine(*listing);
  if (role.empty()) return Error(ErrorCode::kNoCredentials, no_role);
  if (!IsIamRoleName(role)) return NoRoleName(role);
  return role;
}

Result<Credentials> ImdsClient::GetRoleCredentials(std::string_view role) {
  std::string context = "instance role " + std::string(role) + " credentials from IMDS";
  Result<std::string> body = Get(std::string(kCredentialsPath) + std::string(role));
  if (!body.ok()) {
    if (body.error().code() == ErrorCode::kNotFound) {
      return Error(ErrorCode::kNoCredentials, "IMDS has no credentials for instance role " +
                                                  std::string(role) + " (HTTP 404)");
    }
    return std::move(body).error();
  }
  // The document holds the secret: it never goes into an error, not even in part.
  nlohmann::json doc = nlohmann::json::parse(*body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Error(ErrorCode::kInvalidInput, "malformed JSON").WithContext(context);
  }
  std::string code = JsonString(doc, "Code");
  if (!code.empty() && code != "Success") {
    // Whatever secrets a failed answer still carries never come back out through its text.
    for (const char* field : {"SecretAccessKey", "Token"}) {
      if (std::string value = JsonString(doc, field); !value.empty()) RegisterSecretValue(value);
    }
    std::string message = JsonString(doc, "Message");
    return Error(ErrorCode::kNoCredentials, "IMDS could not provide credentials (Code " + code +
                                                (message.empty() ? std::string() : ": " + message) +
                                                ")")
        .WithContext(context);
  }
  Result<Credentials> creds = CredentialsFromDocument(doc);
  if (!creds.ok()) return std::move(creds).error().WithContext(context);
  creds->provider = "imds role " + std::string(role);
  return creds;
}

Result<std::string> ImdsClient::GetUserData() {
  Result<std::string> r = Get("/latest/user-data", kMaxImdsUserDataBytes);
  if (!r.ok() && r.error().code() == ErrorCode::kNotFound) return std::string();
  return r;
}

}  // namespace s3us::aws

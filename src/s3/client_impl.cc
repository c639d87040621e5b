#include "s3/client_impl.h"

#include "aws/aws_time.h"
#include "aws/regions.h"
#include "core/log.h"
#include "core/secret.h"
#include "core/strings.h"
#include "s3/errors.h"
#include "s3/integrity.h"

namespace s3us::s3 {
namespace {

constexpr auto kSkewThreshold = std::chrono::minutes(4);

bool IsTokenProblem(std::string_view code) {
  return code == "ExpiredToken" || code == "InvalidToken" || code == "TokenRefreshRequired";
}

bool IsRegionStatus(int status) { return status == 301 || status == 307 || status == 400; }

// The request as signed and sent. Host is passed explicitly so that what is signed is
// exactly what goes on the wire.
net::Headers RequestHeaders(const S3Endpoint& ep, const S3ClientOptions& options) {
  net::Headers headers;
  headers.emplace_back("Host", ep.host);
  if (options.checksum_mode) headers.emplace_back("x-amz-checksum-mode", "ENABLED");
  headers.emplace_back("User-Agent", options.user_agent);
  return headers;
}

// The body must not be used: drop what the sink holds. The original error is what matters.
void Discard(net::BodySink& sink) {
  Status s = sink.Reset();
  if (!s.ok()) LogWarning("discarding a partial S3 body failed: " + s.error().ToString());
}

}  // namespace

S3ClientImpl::S3ClientImpl(net::Transport& transport, aws::CredentialProvider& credentials,
                           Clock& clock, S3ClientOptions options)
    : transport_(transport), credentials_(credentials), clock_(clock), options_(options) {
  endpoint_options_.endpoint_override = options_.endpoint_override;
  endpoint_options_.domain = options_.domain;
  endpoint_options_.domain_partition = options_.domain_partition;
  endpoint_options_.use_fips = options_.use_fips;
  endpoint_options_.use_dualstack = options_.use_dualstack;
}

std::string S3ClientImpl::CachedRegion(std::string_view bucket) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = regions_.find(bucket);
  return it == regions_.end() ? std::string() : it->second;
}

std::string S3ClientImpl::RegionFor(const S3Location& location) {
  if (std::string cached = CachedRegion(location.bucket); !cached.empty()) return cached;
  if (!location.region.empty()) return location.region;
  // Only us-east-1 ever allowed such a name: signed for it at once, not after a redirect. An
  // S3-compatible store (an endpoint override) has its own rules and region.
  if (IsLegacyBucketName(location.bucket) && options_.endpoint_override.empty() &&
      aws::PartitionOfRegion(options_.default_region) == "aws") {
    return "us-east-1";
  }
  return options_.default_region;
}

struct S3ClientImpl::Attempt {
  std::string region;
  Clock::WallTime signed_at;
  bool refresh_credentials = false;
  bool region_repaired = false;
  bool clock_repaired = false;
  bool credentials_repaired = false;
};

Result<GetObjectResult> S3ClientImpl::GetObject(const GetObjectRequest& request) {
  const S3Location& location = request.location;
  if (location.bucket.empty()) return Error(ErrorCode::kInvalidInput, "no bucket given");
  if (location.key.empty()) return Error(ErrorCode::kInvalidInput, "no object key given");

  net::VerifyingSink sink(request.max_bytes, request.sink, request.record_sha256);
  for (const net::Expectation& e : request.expectations) sink.Expect(e);
  sink.set_head_reader(S3Expectations);
  Attempt attempt;
  attempt.region = RegionFor(location);
  for (;;) {
    Result<net::Response> response = SendSigned(request, attempt, sink);
    if (!response.ok()) {
      Discard(sink);
      return std::move(response).error();
    }
    if (net::IsSuccessStatus(response->status)) return Received(*response, attempt, request, sink);
    S3ErrorInfo info = ParseS3Error(*response);
    if (!Repair(location, *response, info, attempt)) return MakeS3Error(info);
  }
}

// Signs for the attempt's region and clock and sends; the body streams into `sink`.
Result<net::Response> S3ClientImpl::SendSigned(const GetObjectRequest& request, Attempt& attempt,
                                               net::BodySink& sink) {
  Result<aws::Credentials> creds = credentials_.Get(attempt.refresh_credentials);
  if (!creds.ok()) return std::move(creds).error();
  attempt.refresh_credentials = false;

  Result<S3Endpoint> ep = ResolveS3Endpoint(request.location, attempt.region, endpoint_options_);
  if (!ep.ok()) return std::move(ep).error();
  attempt.region = ep->signing_region;

  aws::SigningRequest to_sign;
  to_sign.method = "GET";
  to_sign.path = ep->path;
  to_sign.query = ep->query;
  to_sign.headers = RequestHeaders(*ep, options_);
  aws::SigningOptions signing;
  signing.region = attempt.region;
  signing.service = "s3";
  signing.time = clock_.Now() + clock_offset();
  // A GET has no body: signing its hash costs nothing and also covers plain-http endpoints.
  signing.payload_hash = aws::kEmptySha256;
  aws::SignedRequest signed_request = signer_.Sign(to_sign, *creds, signing);
  // An answer may echo the Authorization header: neither the signature nor the access key
  // id in it is ever printed.
  RegisterSecretValue(signed_request.signature);
  RegisterSecretValue(creds->access_key_id);
  attempt.signed_at = signing.time;

  net::Request http;
  http.method = "GET";
  http.url = ep->url;
  http.headers = std::move(signed_request.headers);
  http.timeout = options_.request_timeout;
  http.deadline = request.deadline;
  if (Status s = sink.Reset(); !s.ok()) return std::move(s).error();
  LogDebug("S3 GET " + RedactUrl(ep->url) + " signed for " + attempt.region);
  return transport_.Send(http, &sink);
}

// A 2xx answer: the body is verified once, then described.
Result<GetObjectResult> S3ClientImpl::Received(const net::Response& r, const Attempt& attempt,
                                               const GetObjectRequest& request,
                                               net::VerifyingSink& sink) {
  Result<net::VerifiedBody> verified = sink.Finish(r);
  if (!verified.ok()) {
    Discard(sink);
    return std::move(verified).error();
  }
  GetObjectResult result;
  result.size = verified->bytes;
  result.sha256 = std::move(verified->sha256);
  result.verified_by = std::move(verified->verified_by);
  if (request.sink == nullptr) result.body = sink.TakeBody();
  // These go into plans, reports and resolved user data: a server that echoes the session
  // token or the Authorization header in them must not get it written out.
  result.etag = RedactSecrets(std::string(StripQuotes(Trim(r.Header("etag")))));
  result.version_id = RedactSecrets(std::string(r.Header("x-amz-version-id")));
  result.region = attempt.region;
  result.checksums = S3Checksums(r);
  result.content_type = RedactSecrets(std::string(r.Header("content-type")));
  result.last_modified = RedactSecrets(std::string(r.Header("last-modified")));
  result.server_side_encryption =
      RedactSecrets(std::string(r.Header("x-amz-server-side-encryption")));
  return result;
}

bool S3ClientImpl::Repair(const S3Location& location, const net::Response& response,
                          const S3ErrorInfo& info, Attempt& attempt) {
  if (RepairRegion(location, response, info, attempt)) return true;
  if (RepairClock(response, info, attempt)) return true;
  if (!attempt.credentials_repaired && IsTokenProblem(info.code)) {
    attempt.credentials_repaired = true;
    attempt.refresh_credentials = true;
    LogInfo("S3 refused the session token (" + info.code + "); refreshing credentials");
    return true;
  }
  return false;
}

// S3 named the bucket's region: sign for it, and remember it for the bucket.
bool S3ClientImpl::RepairRegion(const S3Location& location, const net::Response& response,
                                const S3ErrorInfo& info, Attempt& attempt) {
  if (attempt.region_repaired || !location.access_point_arn.empty() ||
      !IsRegionStatus(response.status) || info.region.empty() || info.region == attempt.region) {
    return false;
  }
  attempt.region_repaired = true;
  LogInfo("bucket " + location.bucket + " is in " + info.region + ", not " + attempt.region +
          "; signing again for " + info.region);
  attempt.region = info.region;
  std::lock_guard<std::mutex> lock(mu_);
  regions_[location.bucket] = attempt.region;
  return true;
}

// S3 says our clock is off (or a 403 whose server time is ≥ 4 min away from what we
// signed): sign with S3's time from now on.
bool S3ClientImpl::RepairClock(const net::Response& response, const S3ErrorInfo& info,
                               Attempt& attempt) {
  bool skew_code = info.code == "RequestTimeTooSkewed" || info.code == "RequestExpired";
  if (attempt.clock_repaired || !info.server_time || !(skew_code || response.status == 403)) {
    return false;
  }
  auto skew = std::chrono::duration_cast<Clock::Duration>(*info.server_time - attempt.signed_at);
  if (!skew_code && skew < kSkewThreshold && -skew < kSkewThreshold) return false;
  attempt.clock_repaired = true;
  auto offset = std::chrono::duration_cast<Clock::Duration>(*info.server_time - clock_.Now());
  offset_ms_.store(offset.count());
  int64_t seconds = offset.count() / 1000;
  LogWarning("the local clock is " + std::to_string(seconds < 0 ? -seconds : seconds) +
             (seconds < 0 ? " s ahead of" : " s behind") + " S3's (" +
             aws::FormatIso8601(*info.server_time) + "); signing with S3's time");
  return true;
}

}  // namespace s3us::s3

#include "aws/s3_client_impl.h"

#include "aws/aws_time.h"
#include "aws/s3_errors.h"
#include "aws/s3_integrity.h"
#include "core/log.h"
#include "core/secret.h"
#include "core/strings.h"

namespace s3us::aws {
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
void Discard(HashingSink& sink) {
  Status s = sink.Reset();
  if (!s.ok()) LogWarning("discarding a partial S3 body failed: " + s.error().ToString());
}

}  // namespace

S3ClientImpl::S3ClientImpl(net::Transport& transport, CredentialProvider& credentials, Clock& clock,
                           S3ClientOptions options)
    : transport_(transport), credentials_(credentials), clock_(clock), options_(options) {
  endpoint_options_.endpoint_override = options_.endpoint_override;
  endpoint_options_.domain = options_.domain;
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
  return options_.default_region;
}

Result<GetObjectResult> S3ClientImpl::GetObject(const GetObjectRequest& request) {
  const S3Location& location = request.location;
  if (location.bucket.empty()) return Error(ErrorCode::kInvalidInput, "no bucket given");
  if (location.key.empty()) return Error(ErrorCode::kInvalidInput, "no object key given");

  std::string region = RegionFor(location);
  HashingSink sink(request.sink, request.max_bytes);
  bool region_repaired = false;
  bool skew_repaired = false;
  bool credentials_repaired = false;
  bool force_refresh = false;
  for (;;) {
    Result<Credentials> creds = credentials_.Get(force_refresh);
    if (!creds.ok()) return std::move(creds).error();
    force_refresh = false;

    Result<S3Endpoint> ep = ResolveS3Endpoint(location, region, endpoint_options_);
    if (!ep.ok()) return std::move(ep).error();
    region = ep->signing_region;

    SigningRequest to_sign;
    to_sign.method = "GET";
    to_sign.path = ep->path;
    to_sign.query = ep->query;
    to_sign.headers = RequestHeaders(*ep, options_);
    SigningOptions signing;
    signing.region = region;
    signing.service = "s3";
    signing.time = clock_.Now() + clock_offset();
    // A GET has no body: signing its hash costs nothing and also covers plain-http endpoints.
    signing.payload_hash = kEmptySha256;
    SignedRequest signed_request = signer_.Sign(to_sign, *creds, signing);
    RegisterSecretValue(signed_request.signature);

    net::Request http;
    http.method = "GET";
    http.url = ep->url;
    http.headers = std::move(signed_request.headers);
    http.timeout = options_.request_timeout;
    http.deadline = request.deadline;
    http.max_body_bytes = request.max_bytes;
    if (Status s = sink.Reset(); !s.ok()) return std::move(s).error();
    LogDebug("S3 GET " + RedactUrl(ep->url) + " signed for " + region);
    Result<net::Response> response = transport_.Send(http, &sink);
    if (!response.ok()) {
      Discard(sink);
      return std::move(response).error();
    }
    const net::Response& r = *response;

    if (r.status >= 200 && r.status < 300) {
      sink.Finish();
      Result<IntegrityReport> report = VerifyS3Body(r, sink);
      if (!report.ok()) {
        Discard(sink);
        return std::move(report).error();
      }
      GetObjectResult result;
      result.size = sink.bytes();
      result.sha256 = sink.sha256_hex();
      if (request.sink == nullptr) result.body = sink.TakeBody();
      result.etag = std::string(StripQuotes(Trim(r.Header("etag"))));
      result.version_id = std::string(r.Header("x-amz-version-id"));
      result.region = region;
      result.verified_by = std::move(report->verified_by);
      result.checksums = std::move(report->checksums);
      result.content_type = std::string(r.Header("content-type"));
      result.last_modified = std::string(r.Header("last-modified"));
      result.server_side_encryption = std::string(r.Header("x-amz-server-side-encryption"));
      return result;
    }

    S3ErrorInfo info = ParseS3Error(r);
    if (!region_repaired && location.access_point_arn.empty() && IsRegionStatus(r.status) &&
        !info.region.empty() && info.region != region) {
      region_repaired = true;
      LogInfo("bucket " + location.bucket + " is in " + info.region + ", not " + region +
              "; signing again for " + info.region);
      region = info.region;
      std::lock_guard<std::mutex> lock(mu_);
      regions_[location.bucket] = region;
      continue;
    }
    bool skew_code = info.code == "RequestTimeTooSkewed" || info.code == "RequestExpired";
    if (!skew_repaired && info.server_time && (skew_code || r.status == 403)) {
      auto skew = std::chrono::duration_cast<Clock::Duration>(*info.server_time - signing.time);
      if (skew_code || skew >= kSkewThreshold || -skew >= kSkewThreshold) {
        skew_repaired = true;
        auto offset = std::chrono::duration_cast<Clock::Duration>(*info.server_time - clock_.Now());
        offset_ms_.store(offset.count());
        int64_t seconds = offset.count() / 1000;
        LogWarning("the local clock is " + std::to_string(seconds < 0 ? -seconds : seconds) +
                   (seconds < 0 ? " s ahead of" : " s behind") + " S3's (" +
                   FormatIso8601(*info.server_time) + "); signing with S3's time");
        continue;
      }
    }
    if (!credentials_repaired && IsTokenProblem(info.code)) {
      credentials_repaired = true;
      force_refresh = true;
      LogInfo("S3 refused the session token (" + info.code + "); refreshing credentials");
      continue;
    }
    return MakeS3Error(info);
  }
}

}  // namespace s3us::aws

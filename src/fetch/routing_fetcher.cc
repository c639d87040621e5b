#include "fetch/routing_fetcher.h"

#include <chrono>
#include <optional>

#include "core/log.h"
#include "core/secret.h"
#include "core/strings.h"

namespace s3us::fetch {
namespace {

bool IsRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

Error HttpStatusError(int status) {
  ErrorCode code = ErrorCode::kHttp;
  if (status == 404 || status == 410) code = ErrorCode::kNotFound;
  if (status == 401 || status == 403) code = ErrorCode::kAccessDenied;
  if (status == 429) code = ErrorCode::kThrottled;
  return Error(code, "HTTP " + std::to_string(status)).set_http_status(status);
}

// What the one verifier found, as the source records it; refused without evidence.
Status Record(net::VerifiedBody verified, userdata::Source& source) {
  if (Status s = RequireEvidence(verified.verified_by); !s.ok()) return s;
  source.size = verified.bytes;
  source.sha256 = std::move(verified.sha256);
  source.verified_by = std::move(verified.verified_by);
  return Ok();
}

// A URL as messages name it: redacted (no query, no user info); a text RedactUrl leaves
// nothing of (an indented "# note" line, which cloud-init's _do_include takes for a URL) as
// it is, quoted.
std::string Named(std::string_view url) {
  std::string redacted = RedactUrl(url);
  return redacted.empty() ? "'" + Printable(url) + "'" : redacted;
}

}  // namespace

RoutingFetcher::RoutingFetcher(s3::S3Client& s3, net::Transport& http, Clock& clock,
                               RoutingFetcherOptions options)
    : s3_(s3), http_(http), clock_(clock), options_(options) {}

Result<FetchedObject> RoutingFetcher::Fetch(const Target& target, const FetchOptions& options) {
  std::string_view url = target.url;
  std::string context = "fetching " + Named(url);
  Clock::MonoTime start = clock_.Monotonic();
  Result<FetchedObject> result = Error(ErrorCode::kInternal, "no route");
  if (options.deadline.Expired(clock_)) {
    result = Error(ErrorCode::kTimeout, "deadline passed before the request was sent");
  } else {
    switch (target.route) {
      case Route::kS3:
        // A location that did not parse was never fetched, and its error names it already.
        if (!target.s3.ok()) return target.s3.error();
        result = FetchS3(*target.s3, options);
        break;
      case Route::kPlain:
        result = FetchPlain(url, options);
        break;
      case Route::kUnsupported: {
        std::string scheme = SchemeOf(url);
        result = Error(ErrorCode::kUnsupported,
                       (scheme.empty() ? std::string("not a URL")
                                       : "unsupported URL scheme \"" + scheme + "\"") +
                           " (use s3://, an S3 ARN, https:// or http://)");
        break;
      }
    }
  }
  if (!result.ok()) return std::move(result.error()).WithContext(context);
  userdata::Source& source = result->source;
  source.url = RedactUrl(url);
  source.fetch_ms = std::chrono::duration<double, std::milli>(clock_.Monotonic() - start).count();
  LogDebug(context + ": " + std::to_string(source.size) + " bytes, verified by " +
           source.verified_by);
  return result;
}

Result<FetchedObject> RoutingFetcher::FetchS3(const s3::S3Location& resolved,
                                              const FetchOptions& options) {
  s3::S3Location location = resolved;
  if (!location.has_key()) {
    return Error(ErrorCode::kInvalidInput,
                 "names bucket \"" + location.bucket + "\" but no object key");
  }
  if (!options.version_id.empty()) location.version_id = options.version_id;
  Result<std::optional<net::Expectation>> pin = PinExpectation(options);
  if (!pin.ok()) return pin.error();

  s3::GetObjectRequest request;
  request.location = location;
  request.sink = options.sink;
  request.max_bytes = options.max_bytes;
  request.deadline = options.deadline;
  if (*pin) request.expectations.push_back(std::move(**pin));
  request.record_sha256 = options.record_sha256;
  Result<s3::GetObjectResult> got = s3_.GetObject(request);
  if (!got.ok()) return got.error();

  FetchedObject out;
  userdata::Source& source = out.source;
  source.bucket = location.bucket;
  source.key = location.key;
  source.version_id = got->version_id.empty() ? location.version_id : got->version_id;
  source.region = got->region;
  source.etag = got->etag;
  net::VerifiedBody verified{got->size, std::move(got->sha256), std::move(got->verified_by)};
  if (Status s = Record(std::move(verified), source); !s.ok()) return s.error();
  out.body = std::move(got->body);
  return out;
}

Result<FetchedObject> RoutingFetcher::FetchPlain(std::string_view url,
                                                 const FetchOptions& options) {
  Result<std::optional<net::Expectation>> pin = PinExpectation(options);
  if (!pin.ok()) return pin.error();
  net::VerifyingSink sink(options.max_bytes, options.sink, options.record_sha256);
  if (*pin) sink.Expect(std::move(**pin));
  std::string current = RequestsUrl(url);
  for (int redirects = 0;; ++redirects) {
    if (options.deadline.Expired(clock_)) {
      return Error(ErrorCode::kTimeout, "deadline passed while following redirects");
    }
    // A fresh request each time: no headers, no credentials, nothing carried over.
    net::Request request;
    request.url = current;
    // The user data names its URLs; a server that redirects does not get to name IMDS.
    request.refuse_link_local = redirects > 0;
    request.timeout = options_.request_timeout;
    request.deadline = options.deadline;
    Result<net::Response> response = http_.Send(request, &sink);
    if (!response.ok()) return response.error();
    int status = response->status;
    if (IsRedirect(status)) {
      if (redirects >= options_.max_redirects) {
        return Error(ErrorCode::kHttp,
                     "too many redirects (limit " + std::to_string(options_.max_redirects) + ")")
            .set_http_status(status);
      }
      Result<std::string> next = ResolveRedirect(current, response->Header("location"));
      if (!next.ok()) return next.error();
      LogDebug("fetching " + RedactUrl(url) + ": HTTP " + std::to_string(status) + " redirect to " +
               RedactUrl(*next));
      if (Status s = sink.Reset(); !s.ok()) return s.error();
      current = RequestsUrl(*next);
      continue;
    }
    if (status < 200 || status > 299) return HttpStatusError(status);

    Result<net::VerifiedBody> verified = sink.Finish(*response);
    if (!verified.ok()) return verified.error();
    FetchedObject out;
    out.source.etag = std::string(StripQuotes(Trim(response->Header("etag"))));
    if (Status s = Record(std::move(*verified), out.source); !s.ok()) return s.error();
    out.body = sink.TakeBody();
    return out;
  }
}

}  // namespace s3us::fetch

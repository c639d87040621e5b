#include "fetch/routing_fetcher.h"

#include <charconv>
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

std::optional<uint64_t> ParseLength(std::string_view text) {
  text = Trim(text);
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

RoutingFetcher::RoutingFetcher(aws::S3Client& s3, net::Transport& http, Clock& clock,
                               RoutingFetcherOptions options)
    : s3_(s3), http_(http), clock_(clock), options_(options) {}

Result<FetchedObject> RoutingFetcher::Fetch(const Target& target, const FetchOptions& options) {
  std::string_view url = target.url;
  std::string context = "fetching " + RedactUrl(url);
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

Result<FetchedObject> RoutingFetcher::FetchS3(const aws::S3Location& resolved,
                                              const FetchOptions& options) {
  aws::S3Location location = resolved;
  if (!location.has_key()) {
    return Error(ErrorCode::kInvalidInput,
                 "names bucket \"" + location.bucket + "\" but no object key");
  }
  if (!options.version_id.empty()) location.version_id = options.version_id;

  VerifyingSink sink(options.max_bytes, options.sink);
  aws::GetObjectRequest request;
  request.location = location;
  request.sink = &sink;
  request.max_bytes = options.max_bytes;
  request.deadline = options.deadline;
  Result<aws::GetObjectResult> got = s3_.GetObject(request);
  if (!got.ok()) return got.error();
  // A client that returned the body despite the sink still goes through the same tail.
  if (!got->body.empty() && sink.bytes() == 0) {
    if (Status s = sink.Write(got->body); !s.ok()) return s.error();
  }

  FetchedObject out;
  userdata::Source& source = out.source;
  source.bucket = location.bucket;
  source.key = location.key;
  source.version_id = got->version_id.empty() ? location.version_id : got->version_id;
  source.region = got->region;
  source.etag = got->etag;
  // The client's size is what it received: evidence only through the checks it names.
  if (got->size != sink.bytes()) {
    return Error(ErrorCode::kIntegrity, "incomplete body: expected " + std::to_string(got->size) +
                                            " bytes, received " + std::to_string(sink.bytes()))
        .set_retryable(true);
  }
  ReceivedBody received;
  received.upstream_verified_by = got->verified_by;
  if (Status s = Finish(sink, std::move(received), options, out); !s.ok()) return s.error();
  return out;
}

Result<FetchedObject> RoutingFetcher::FetchPlain(std::string_view url,
                                                 const FetchOptions& options) {
  VerifyingSink sink(options.max_bytes, options.sink);
  std::string current(url);
  for (int redirects = 0;; ++redirects) {
    if (options.deadline.Expired(clock_)) {
      return Error(ErrorCode::kTimeout, "deadline passed while following redirects");
    }
    // A fresh request each time: no headers, no credentials, nothing carried over.
    net::Request request;
    request.url = current;
    request.timeout = options_.request_timeout;
    request.deadline = options.deadline;
    request.max_body_bytes = options.max_bytes;
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
      current = std::move(*next);
      continue;
    }
    if (status < 200 || status > 299) return HttpStatusError(status);

    FetchedObject out;
    out.source.etag = std::string(StripQuotes(Trim(response->Header("etag"))));
    ReceivedBody received;
    received.declared_size = ParseLength(response->Header("content-length"));
    if (Status s = Finish(sink, std::move(received), options, out); !s.ok()) return s.error();
    return out;
  }
}

Status RoutingFetcher::Finish(VerifyingSink& sink, ReceivedBody received,
                              const FetchOptions& options, FetchedObject& out) {
  received.bytes = sink.bytes();
  received.sha256 = sink.FinishSha256();
  Result<std::string> verified_by = VerifyBody(received, options);
  if (!verified_by.ok()) return verified_by.error();
  out.body = sink.TakeBody();
  out.source.size = received.bytes;
  out.source.sha256 = received.sha256;
  out.source.verified_by = std::move(*verified_by);
  return Ok();
}

}  // namespace s3us::fetch

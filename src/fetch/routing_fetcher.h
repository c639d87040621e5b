// RoutingFetcher: the production Fetcher. Sends S3 locations in any spelling through the
// signed S3 client and every other http(s) URL through the plain transport. Both routes
// stream into the one verifier (net/verifying_sink.h; the S3 client adds S3's checksums to
// it) and end in the evidence rule (fetch/verify.h). Holds no per-call state.
//
// Plain http(s) is unauthenticated, as cloud-init's #include: no credentials or headers are
// ever sent. Redirects (301, 302, 303, 307, 308) are followed manually, at most
// max_redirects times, each with a fresh request; https → http downgrades and non-http
// targets are refused. A redirect never switches to the signed route.
// Thread-safe when the S3 client, the transport and the clock are.
#ifndef S3US_FETCH_ROUTING_FETCHER_H_
#define S3US_FETCH_ROUTING_FETCHER_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "fetch/fetcher.h"
#include "fetch/route.h"
#include "fetch/verify.h"
#include "net/transport.h"
#include "s3/client.h"

namespace s3us::fetch {

struct RoutingFetcherOptions {
  int max_redirects = 5;                         // plain http(s) only; 0: a redirect fails
  std::chrono::milliseconds request_timeout{0};  // per attempt; 0: the transport's default
};

class RoutingFetcher : public Fetcher {
 public:
  // s3: signed GetObject (one client per run; it shares credentials and the IMDS token).
  // http: the plain transport, retrying in production. All three must outlive this object.
  RoutingFetcher(s3::S3Client& s3, net::Transport& http, Clock& clock,
                 RoutingFetcherOptions options = {});

  // Errors: the route's code with context "fetching <redacted url>"; kUnsupported for
  // schemes other than s3/arn/http/https; kInvalidInput for a bucket without a key;
  // kLengthMismatch, kDigestMismatch, kLimitExceeded from the verifier, kIntegrity without
  // evidence; kTimeout once options.deadline has passed.
  Result<FetchedObject> Fetch(const Target& target, const FetchOptions& options) override;
  using Fetcher::Fetch;
  // Checks no signatures, as Fetch does not: nullopt (SignedFetcher wraps this one).
  Result<std::optional<std::string>> VerifyKept(std::string_view, std::string_view,
                                                const FetchOptions&) override {
    return std::optional<std::string>();
  }

 private:
  Result<FetchedObject> FetchS3(const s3::S3Location& location, const FetchOptions& options);
  Result<FetchedObject> FetchPlain(std::string_view url, const FetchOptions& options);

  s3::S3Client& s3_;
  net::Transport& http_;
  Clock& clock_;
  RoutingFetcherOptions options_;
};

}  // namespace s3us::fetch

#endif  // S3US_FETCH_ROUTING_FETCHER_H_

// SigV4: AWS Signature Version 4 for one HTTP request, header form and presigned-query form.
//
// Pure computation (no I/O, no clock: the caller passes the signing time). Produces every
// intermediate (canonical request, string to sign, signature) so it can be checked against
// AWS's published vectors step by step. S3 rules are the defaults: the path is used exactly
// as sent (no second encoding, no normalisation), x-amz-content-sha256 is added, the
// session token is signed. Generic services turn on double encoding and normalisation.
// Does not decide which headers to send; it signs every header given except the few SDKs
// never sign (user-agent, expect, x-amzn-trace-id, connection, …). Thread-safe.
#ifndef S3US_AWS_SIGV4_H_
#define S3US_AWS_SIGV4_H_

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

#include "aws/credentials.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "net/transport.h"

namespace s3us::aws {

inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
inline constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// AWS "UriEncode": every byte except A-Z a-z 0-9 - . _ ~ becomes %XX (upper-case hex);
// '/' is kept bare when `keep_slash` (object key paths), encoded otherwise (query parts).
std::string UriEncode(std::string_view text, bool keep_slash);

struct SigningRequest {
  std::string method = "GET";
  // As sent on the wire (already URI-encoded for S3); "" means "/".
  std::string path = "/";
  // Raw query without '?'; parameters are decoded and re-encoded for signing.
  std::string query;
  // Must include Host (with ":port" when not the default). Names in any case.
  net::Headers headers;
  std::string body;
};

struct SigningOptions {
  std::string region;
  std::string service = "s3";
  Clock::WallTime time;
  // Generic services encode the already-encoded path again; S3 must not.
  bool double_uri_encode = false;
  // Generic services remove "."/".." segments and repeated '/'; S3 must not.
  bool normalize_path = false;
  // Hex SHA-256 of the body or "UNSIGNED-PAYLOAD"; empty means SHA-256 of `body`.
  std::string payload_hash;
  // Adds (and signs) an x-amz-content-sha256 header (mandatory for S3; header form only).
  bool add_content_sha256_header = true;
  // False: X-Amz-Security-Token is added after signing instead of being signed (some
  // non-S3 services want that; S3 wants it signed).
  bool sign_session_token = true;
  // Presigned URLs only: X-Amz-Expires, 1…604800.
  std::chrono::seconds expires{3600};
};

struct SignedRequest {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;         // 64 lower-case hex digits
  std::string signed_headers;    // "host;x-amz-content-sha256;x-amz-date"
  std::string credential_scope;  // "20150830/us-east-1/s3/aws4_request"
  // Header form: the Authorization value. Empty for the query form.
  std::string authorization;
  // Header form: the request's headers plus the added x-amz-date, x-amz-content-sha256,
  // x-amz-security-token and Authorization, in that order. Query form: the request's headers.
  net::Headers headers;
  // Header form: the request's query unchanged. Query form: the query to send, with every
  // X-Amz-* parameter including X-Amz-Signature.
  std::string query;
};

class SigV4Signer {
 public:
  // Authorization-header form.
  SignedRequest Sign(const SigningRequest& request, const Credentials& credentials,
                     const SigningOptions& options);
  // Presigned-URL (query-string) form.
  SignedRequest Presign(const SigningRequest& request, const Credentials& credentials,
                        const SigningOptions& options);

  // kSigning for (secret, date, region, service); cached, the derivation is four HMACs.
  Sha256Digest SigningKey(const Secret& secret, std::string_view date, std::string_view region,
                          std::string_view service);
  size_t cached_keys();

 private:
  SignedRequest SignImpl(const SigningRequest& request, const Credentials& credentials,
                         const SigningOptions& options, bool presign);

  std::mutex mu_;
  // Keyed by SHA-256 of the secret, never the secret itself.
  std::map<std::tuple<std::string, std::string, std::string, std::string>, Sha256Digest> keys_;
};

// Pieces of the canonical request, exposed for tests and for the S3 client's URL building.
std::string CanonicalUri(std::string_view path, bool double_encode, bool normalize);
std::string CanonicalQuery(std::string_view query);

}  // namespace s3us::aws

#endif  // S3US_AWS_SIGV4_H_

#include "aws/sigv4.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "aws/aws_time.h"
#include "core/strings.h"

namespace s3us::aws {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

bool Unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// Headers SDKs never sign: they are changed by proxies or added by the HTTP library.
bool NeverSigned(std::string_view lower_name) {
  static constexpr std::string_view kNames[] = {"authorization",
                                                "user-agent",
                                                "expect",
                                                "x-amzn-trace-id",
                                                "connection",
                                                "upgrade",
                                                "keep-alive",
                                                "proxy-authorization",
                                                "te",
                                                "transfer-encoding",
                                                "trailer",
                                                "proxy-connection"};
  if (IStartsWith(lower_name, "sec-websocket-")) return true;
  return std::find(std::begin(kNames), std::end(kNames), lower_name) != std::end(kNames);
}

// Trim, and collapse every run of whitespace (including folded lines) to one space.
std::string CanonicalHeaderValue(std::string_view value) {
  std::string out;
  bool space = false;
  for (char c : Trim(value)) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = true;
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

bool HasHeader(const net::Headers& headers, std::string_view lower_name) {
  for (const auto& [name, value] : headers) {
    if (IEquals(name, lower_name)) return true;
  }
  return false;
}

std::string RemoveDotSegments(std::string_view path) {
  std::vector<std::string_view> out;
  std::vector<std::string_view> segments = Split(path, '/');
  for (std::string_view seg : segments) {
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") {
      if (!out.empty()) out.pop_back();
      continue;
    }
    out.push_back(seg);
  }
  std::string result = "/";
  for (size_t i = 0; i < out.size(); ++i) {
    if (i > 0) result += '/';
    result += out[i];
  }
  std::string_view last = segments.empty() ? std::string_view() : segments.back();
  bool trailing = last.empty() || last == "." || last == "..";
  if (trailing && result.size() > 1) result += '/';
  return result;
}

}  // namespace

std::string UriEncode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (Unreserved(c) || (keep_slash && c == '/')) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

std::string CanonicalUri(std::string_view path, bool double_encode, bool normalize) {
  std::string p = path.empty() ? std::string("/") : std::string(path);
  if (normalize) p = RemoveDotSegments(p);
  if (double_encode) p = UriEncode(p, /*keep_slash=*/true);
  return p;
}

std::string CanonicalQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  for (std::string_view piece : Split(query, '&')) {
    if (piece.empty()) continue;
    size_t eq = piece.find('=');
    std::string_view name = piece.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1);
    params.emplace_back(UriEncode(PercentDecode(name), false),
                        UriEncode(PercentDecode(value), false));
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

Sha256Digest SigV4Signer::SigningKey(const Secret& secret, std::string_view date,
                                     std::string_view region, std::string_view service) {
  auto id = std::make_tuple(Sha256Hex(secret.reveal()), std::string(date), std::string(region),
                            std::string(service));
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = keys_.find(id); it != keys_.end()) return it->second;
  }
  auto as_view = [](const Sha256Digest& d) {
    return std::string_view(reinterpret_cast<const char*>(d.data()), d.size());
  };
  Sha256Digest k = HmacSha256("AWS4" + secret.reveal(), date);
  k = HmacSha256(as_view(k), region);
  k = HmacSha256(as_view(k), service);
  k = HmacSha256(as_view(k), "aws4_request");
  std::lock_guard<std::mutex> lock(mu_);
  // A process signs for a handful of regions a day; the bound only guards against misuse.
  if (keys_.size() >= 64) keys_.clear();
  keys_[id] = k;
  return k;
}

size_t SigV4Signer::cached_keys() {
  std::lock_guard<std::mutex> lock(mu_);
  return keys_.size();
}

SignedRequest SigV4Signer::Sign(const SigningRequest& request, const Credentials& credentials,
                                const SigningOptions& options) {
  return SignImpl(request, credentials, options, /*presign=*/false);
}

SignedRequest SigV4Signer::Presign(const SigningRequest& request, const Credentials& credentials,
                                   const SigningOptions& options) {
  return SignImpl(request, credentials, options, /*presign=*/true);
}

SignedRequest SigV4Signer::SignImpl(const SigningRequest& request, const Credentials& credentials,
                                    const SigningOptions& options, bool presign) {
  SignedRequest out;
  const std::string amz_date = FormatAmzDate(options.time);
  const std::string date = amz_date.substr(0, 8);
  out.credential_scope = date + "/" + options.region + "/" + options.service + "/aws4_request";
  const std::string payload_hash =
      options.payload_hash.empty() ? Sha256Hex(request.body) : options.payload_hash;
  const bool has_token = !credentials.session_token.empty();

  // Headers to send, before Authorization.
  out.headers = request.headers;
  if (!presign) {
    if (!HasHeader(out.headers, "x-amz-date")) out.headers.emplace_back("X-Amz-Date", amz_date);
    if (options.add_content_sha256_header && !HasHeader(out.headers, "x-amz-content-sha256")) {
      out.headers.emplace_back("X-Amz-Content-SHA256", payload_hash);
    }
    if (has_token && options.sign_session_token &&
        !HasHeader(out.headers, "x-amz-security-token")) {
      out.headers.emplace_back("X-Amz-Security-Token", credentials.session_token.reveal());
    }
  }

  // Canonical headers: lower-case names, sorted (stable: repeated names keep their order).
  std::vector<std::pair<std::string, std::string>> canonical;
  for (const auto& [name, value] : out.headers) {
    std::string lower = ToLower(Trim(name));
    if (NeverSigned(lower)) continue;
    canonical.emplace_back(std::move(lower), CanonicalHeaderValue(value));
  }
  std::stable_sort(canonical.begin(), canonical.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string header_block;
  for (size_t i = 0; i < canonical.size(); ++i) {
    if (i > 0 && canonical[i].first == canonical[i - 1].first) {
      header_block.back() = ',';
      header_block += canonical[i].second + "\n";
      continue;
    }
    if (!out.signed_headers.empty()) out.signed_headers += ';';
    out.signed_headers += canonical[i].first;
    header_block += canonical[i].first + ":" + canonical[i].second + "\n";
  }

  std::string query = request.query;
  if (presign) {
    auto add = [&query](std::string_view name, std::string_view value) {
      if (!query.empty()) query += '&';
      query += std::string(name) + "=" + UriEncode(value, false);
    };
    add("X-Amz-Algorithm", kAlgorithm);
    add("X-Amz-Credential", credentials.access_key_id + "/" + out.credential_scope);
    add("X-Amz-Date", amz_date);
    add("X-Amz-Expires", std::to_string(options.expires.count()));
    if (has_token && options.sign_session_token) {
      add("X-Amz-Security-Token", credentials.session_token.reveal());
    }
    add("X-Amz-SignedHeaders", out.signed_headers);
  }

  out.canonical_request =
      request.method + "\n" +
      CanonicalUri(request.path, options.double_uri_encode, options.normalize_path) + "\n" +
      CanonicalQuery(query) + "\n" + header_block + "\n" + out.signed_headers + "\n" + payload_hash;
  out.string_to_sign = std::string(kAlgorithm) + "\n" + amz_date + "\n" + out.credential_scope +
                       "\n" + Sha256Hex(out.canonical_request);
  Sha256Digest key =
      SigningKey(credentials.secret_access_key, date, options.region, options.service);
  out.signature = Hex(HmacSha256(
      std::string_view(reinterpret_cast<const char*>(key.data()), key.size()), out.string_to_sign));

  if (presign) {
    out.query = query + "&X-Amz-Signature=" + out.signature;
    if (has_token && !options.sign_session_token) {
      out.query += "&X-Amz-Security-Token=" + UriEncode(credentials.session_token.reveal(), false);
    }
    return out;
  }
  out.query = request.query;
  out.authorization = std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + "/" +
                      out.credential_scope + ", SignedHeaders=" + out.signed_headers +
                      ", Signature=" + out.signature;
  if (has_token && !options.sign_session_token && !HasHeader(out.headers, "x-amz-security-token")) {
    out.headers.emplace_back("X-Amz-Security-Token", credentials.session_token.reveal());
  }
  out.headers.emplace_back("Authorization", out.authorization);
  return out;
}

}  // namespace s3us::aws

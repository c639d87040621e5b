#include "fetch/route.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "core/secret.h"
#include "core/strings.h"
#include "s3/location.h"

namespace s3us::fetch {

std::string SchemeOf(std::string_view url) {
  size_t sep = url.find("://");
  if (sep == std::string_view::npos) return "";
  std::string_view scheme = url.substr(0, sep);
  if (scheme.empty() || scheme.find_first_of("/?#") != std::string_view::npos) return "";
  return ToLower(scheme);
}

bool IsPresignedUrl(std::string_view url) {
  size_t q = url.find('?');
  if (q == std::string_view::npos) return false;
  std::string_view query = url.substr(q + 1);
  query = query.substr(0, query.find('#'));
  for (std::string_view param : Split(query, '&')) {
    std::string name = ToLower(param.substr(0, param.find('=')));
    if (name == "x-amz-signature" || name == "signature") return true;
  }
  return false;
}

Route RouteOf(std::string_view raw) {
  std::string_view url = Trim(raw);
  if (url.empty()) return Route::kUnsupported;
  std::string scheme = SchemeOf(url);
  if (scheme == "http" || scheme == "https") {
    return s3::LooksLikeS3(url) && !IsPresignedUrl(url) ? Route::kS3 : Route::kPlain;
  }
  if (scheme == "s3" || IStartsWith(url, "arn:") || scheme.empty()) {
    return s3::LooksLikeS3(url) ? Route::kS3 : Route::kUnsupported;
  }
  return Route::kUnsupported;
}

namespace {

bool IsUnreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

bool IsControl(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsEscapeAt(std::string_view s, size_t i) {
  return s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0;
}

void AppendEscaped(std::string& out, char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  auto u = static_cast<unsigned char>(c);
  out += '%';
  out += kHex[u >> 4];
  out += kHex[u & 0xf];
}

char Upper(char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); }

// urllib3's _encode_invalid_chars: each %xx upper-cased; '%' kept only when every '%'
// starts one; any other byte that is neither unreserved nor in `allowed` percent-encoded.
std::string EncodeInvalid(std::string_view component, std::string_view allowed) {
  size_t percents = 0, escapes = 0;
  for (size_t i = 0; i < component.size(); ++i) {
    percents += component[i] == '%';
    escapes += IsEscapeAt(component, i);
  }
  std::string out;
  for (size_t i = 0; i < component.size(); ++i) {
    char c = component[i];
    if (IsEscapeAt(component, i)) {
      if (percents == escapes) {
        out += '%';
      } else {
        AppendEscaped(out, '%');
      }
      out += Upper(component[i + 1]);
      out += Upper(component[i + 2]);
      i += 2;
    } else if (IsUnreserved(c) || allowed.find(c) != std::string_view::npos || IsControl(c)) {
      out += c;
    } else {
      AppendEscaped(out, c);
    }
  }
  return out;
}

// urllib3's _remove_path_dot_segments (RFC 3986 5.2.4).
std::string RemoveDotSegments(std::string_view path) {
  std::vector<std::string_view> kept;
  for (std::string_view segment : Split(path, '/')) {
    if (segment == ".") continue;
    if (segment != "..") {
      kept.push_back(segment);
    } else if (!kept.empty()) {
      kept.pop_back();
    }
  }
  if (path.starts_with('/') && (kept.empty() || !kept.front().empty())) {
    kept.insert(kept.begin(), "");
  }
  if (path.ends_with("/.") || path.ends_with("/..")) kept.emplace_back();
  std::string out;
  for (size_t i = 0; i < kept.size(); ++i) {
    if (i > 0) out += '/';
    out += kept[i];
  }
  return out;
}

// requests.utils.requote_uri: unquote_unreserved (which fails on a '%' and two letters or
// digits that are not hex), then quote() keeping these and, unless that failed, '%'.
std::string RequoteUri(std::string_view uri) {
  std::string unquoted;
  bool valid = true;
  for (size_t i = 0; i < uri.size() && valid; ++i) {
    bool alnum_pair = uri[i] == '%' && i + 2 < uri.size() &&
                      std::isalnum(static_cast<unsigned char>(uri[i + 1])) &&
                      std::isalnum(static_cast<unsigned char>(uri[i + 2]));
    char decoded = alnum_pair && IsEscapeAt(uri, i)
                       ? static_cast<char>(HexValue(uri[i + 1]) * 16 + HexValue(uri[i + 2]))
                       : '\0';
    if (!alnum_pair) {
      unquoted += uri[i];
    } else if (!IsEscapeAt(uri, i)) {
      valid = false;
    } else if (IsUnreserved(decoded)) {
      unquoted += decoded;
      i += 2;
    } else {
      unquoted += '%';
    }
  }
  std::string_view safe = valid ? "!#$%&'()*+,/:;=?@[]~" : "!#$&'()*+,/:;=?@[]~";
  std::string out;
  for (char c : valid ? std::string_view(unquoted) : uri) {
    if (IsUnreserved(c) || safe.find(c) != std::string_view::npos || IsControl(c)) {
      out += c;
    } else {
      AppendEscaped(out, c);
    }
  }
  return out;
}

}  // namespace

std::string RequestsUrl(std::string_view url) {
  constexpr std::string_view kPathChars = "!$&'()*+,;=:@/";
  constexpr std::string_view kQueryChars = "!$&'()*+,;=:@/?";
  size_t authority = url.find("://");
  size_t path_at = authority == std::string_view::npos
                       ? 0
                       : std::min(url.find_first_of("\\/?#", authority + 3), url.size());
  size_t query_at = std::min(url.find_first_of("?#", path_at), url.size());
  std::string out(url.substr(0, path_at));
  std::string_view path = url.substr(path_at, query_at - path_at);
  if (!path.empty()) out += EncodeInvalid(RemoveDotSegments(path), kPathChars);
  std::string_view rest = url.substr(query_at);
  if (rest.starts_with('?')) {
    size_t end = std::min(rest.find('#'), rest.size());
    out += "?" + EncodeInvalid(rest.substr(1, end - 1), kQueryChars);
    rest.remove_prefix(end);
  }
  if (rest.starts_with('#')) out += "#" + EncodeInvalid(rest.substr(1), kQueryChars);
  return RequoteUri(out);
}

Result<std::string> ResolveRedirect(std::string_view from, std::string_view raw_location) {
  std::string_view location = Trim(raw_location);
  if (location.empty()) return Error(ErrorCode::kHttp, "redirect without a Location header");
  std::string from_scheme = SchemeOf(from);
  size_t host_start = from.find("://") + 3;
  size_t path_start = from.find_first_of("/?#", host_start);
  std::string_view origin = from.substr(0, path_start);  // scheme://host[:port]

  std::string target;
  if (!SchemeOf(location).empty()) {
    target = std::string(location);
  } else if (location.substr(0, 2) == "//") {
    target = from_scheme + ":" + std::string(location);
  } else if (location.front() == '/') {
    target = std::string(origin) + std::string(location);
  } else {
    std::string_view path =
        path_start == std::string_view::npos ? std::string_view("/") : from.substr(path_start);
    path = path.substr(0, path.find_first_of("?#"));
    if (path.empty()) path = "/";
    target = std::string(origin) + std::string(path.substr(0, path.rfind('/') + 1)) +
             std::string(location);
  }
  std::string to_scheme = SchemeOf(target);
  if (to_scheme != "http" && to_scheme != "https") {
    return Error(ErrorCode::kUnsupported, "refusing redirect to " + RedactUrl(target) +
                                              ": only http and https are followed");
  }
  if (from_scheme == "https" && to_scheme == "http") {
    return Error(ErrorCode::kUnsupported,
                 "refusing redirect from https to plain http (" + RedactUrl(target) + ")");
  }
  return target;
}

}  // namespace s3us::fetch

#include "fetch/route.h"

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

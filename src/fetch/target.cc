#include "fetch/target.h"

#include "core/strings.h"

namespace s3us::fetch {

Target ResolveTarget(std::string_view raw) {
  Target target;
  target.url = std::string(Trim(raw));
  target.route = RouteOf(target.url);
  if (s3::LooksLikeS3(target.url)) target.s3 = s3::ParseS3Location(target.url);
  return target;
}

namespace {

// '%' and '?' escaped: a key may hold "?versionId=v" itself, and must not then name the
// same object as that version of the key before it.
std::string EscapeKey(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '%') {
      out += "%25";
    } else if (c == '?') {
      out += "%3F";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string Target::Identity() const {
  if (!s3.ok() || !s3->has_key()) return url;
  s3::S3Location location = *s3;
  location.key = EscapeKey(location.key);
  std::string id = location.ToS3Url();
  if (!s3->version_id.empty()) id += "?versionId=" + s3->version_id;
  return id;
}

}  // namespace s3us::fetch

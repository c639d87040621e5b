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

std::string Target::Identity() const {
  if (!s3.ok() || !s3->has_key()) return url;
  std::string id = s3->ToS3Url();
  if (!s3->version_id.empty()) id += "?versionId=" + s3->version_id;
  return id;
}

}  // namespace s3us::fetch

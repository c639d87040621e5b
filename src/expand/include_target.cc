#include "expand/include_target.h"

#include "aws/s3_location.h"
#include "aws/sigv4.h"
#include "core/strings.h"
#include "expand/key_template.h"
#include "fetch/target.h"

namespace s3us::expand {
Result<std::string> ResolveS3IncludeUrl(std::string_view raw, std::string_view key_template,
                                        const InstanceFacts& facts) {
  std::string_view entry = Trim(raw);
  if (!aws::LooksLikeS3(entry)) {
    return Error(ErrorCode::kInvalidInput,
                 "\"" + std::string(entry.substr(0, 200)) +
                     "\" is not an S3 location (#s3-include lines name S3 objects)");
  }
  Result<aws::S3Location> location = aws::ParseS3Location(entry);
  if (!location.ok()) return location.error();
  if (location->has_key()) return std::string(entry);

  Result<std::string> key = ExpandKeyTemplate(key_template, facts);
  if (!key.ok()) return key.error();
  size_t query_at = entry.find('?');
  std::string_view base = entry.substr(0, query_at);
  std::string_view query = query_at == std::string_view::npos ? "" : entry.substr(query_at);
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  std::string url(base);
  bool https = IStartsWith(url, "https://") || IStartsWith(url, "http://");
  if (!https && url.find("://") == std::string::npos && !IStartsWith(url, "arn:")) {
    url = "s3://" + url;
  }
  // Access-point ARNs name objects as …:accesspoint/NAME/object/KEY; their https hosts
  // take the key as the path, like buckets.
  url += location->access_point_arn.empty() || https ? "/" : "/object/";
  // https S3 URLs are percent-decoded once by aws::ParseS3Location, so a templated key is
  // encoded for them; s3:// URLs and ARNs take keys literally.
  url += https ? aws::UriEncode(*key, /*keep_slash=*/true) : *key;
  url += query;

  Result<aws::S3Location> check = aws::ParseS3Location(url);
  if (!check.ok() || !check->has_key()) {
    return Error(ErrorCode::kInvalidInput, "cannot add the role-default key \"" + *key +
                                               "\" to \"" + std::string(entry) + "\"");
  }
  return url;
}

std::string IncludeIdentity(std::string_view url) { return fetch::ResolveTarget(url).Identity(); }

}  // namespace s3us::expand

#include "expand/include_target.h"

#include "aws/sigv4.h"
#include "core/strings.h"
#include "expand/key_template.h"
#include "fetch/target.h"
#include "s3/location.h"

namespace s3us::expand {
Result<fetch::Target> ResolveIncludeTarget(std::string_view raw, bool s3_include,
                                           std::string_view key_template,
                                           const InstanceFacts& facts) {
  fetch::Target target = fetch::ResolveTarget(raw);
  if (!s3_include) return target;
  const std::string& entry = target.url;
  if (!target.s3.ok()) {
    if (s3::LooksLikeS3(entry)) return target.s3.error();
    return Error(ErrorCode::kInvalidInput,
                 "\"" + entry.substr(0, 200) +
                     "\" is not an S3 location (#s3-include lines name S3 objects)");
  }
  if (target.s3->has_key()) return target;

  Result<std::string> key = ExpandKeyTemplate(key_template, facts);
  if (!key.ok()) return key.error();
  size_t query_at = entry.find('?');
  std::string_view base = std::string_view(entry).substr(0, query_at);
  std::string_view query =
      query_at == std::string::npos ? "" : std::string_view(entry).substr(query_at);
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  std::string url(base);
  bool https = IStartsWith(url, "https://") || IStartsWith(url, "http://");
  if (!https && url.find("://") == std::string::npos && !IStartsWith(url, "arn:")) {
    url = "s3://" + url;
  }
  // Access-point ARNs name objects as …:accesspoint/NAME/object/KEY; their https hosts
  // take the key as the path, like buckets.
  url += target.s3->access_point_arn.empty() || https ? "/" : "/object/";
  // https S3 URLs are percent-decoded once by s3::ParseS3Location, so a templated key is
  // encoded for them; s3:// URLs and ARNs take keys literally.
  url += https ? aws::UriEncode(*key, /*keep_slash=*/true) : *key;
  url += query;

  fetch::Target keyed = fetch::ResolveTarget(url);
  if (!keyed.s3.ok() || !keyed.s3->has_key()) {
    return Error(ErrorCode::kInvalidInput,
                 "cannot add the role-default key \"" + *key + "\" to \"" + entry + "\"");
  }
  return keyed;
}

Result<std::string> ResolveS3IncludeUrl(std::string_view entry, std::string_view key_template,
                                        const InstanceFacts& facts) {
  Result<fetch::Target> target = ResolveIncludeTarget(entry, true, key_template, facts);
  if (!target.ok()) return target.error();
  return std::move(target->url);
}

std::string IncludeIdentity(std::string_view url) { return fetch::ResolveTarget(url).Identity(); }

}  // namespace s3us::expand

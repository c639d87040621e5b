#include "expand/include_target.h"

#include "aws/sigv4.h"
#include "core/secret.h"
#include "core/strings.h"
#include "expand/key_template.h"
#include "fetch/target.h"
#include "s3/location.h"

namespace s3us::expand {
namespace {

// What plans and messages show for a bucket-only entry once it has its key: the entry's
// own spelling with the key appended, ?versionId= kept. Only shown, never parsed again.
std::string ShownWithKey(std::string_view entry, const std::string& key,
                         const s3::S3Location& location) {
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
  url += location.access_point_arn.empty() || https ? "/" : "/object/";
  // https S3 URLs are percent-decoded once when read, so the key is shown encoded there;
  // s3:// URLs and ARNs take keys literally.
  url += https ? aws::UriEncode(key, /*keep_slash=*/true) : key;
  url += query;
  return url;
}

}  // namespace

Result<fetch::Target> ResolveIncludeTarget(std::string_view raw, bool s3_include,
                                           std::string_view key_template,
                                           const InstanceFacts& facts) {
  fetch::Target target = fetch::ResolveTarget(raw);
  if (!s3_include) return target;
  if (!target.s3.ok()) {
    if (s3::LooksLikeS3(target.url)) return target.s3.error();
    return Error(ErrorCode::kInvalidInput,
                 "\"" + RedactUrl(target.url).substr(0, 200) +
                     "\" is not an S3 location (#s3-include lines name S3 objects)");
  }
  if (target.s3->has_key()) return target;

  Result<std::string> key = ExpandKeyTemplate(key_template, facts);
  if (!key.ok()) return key.error();
  std::string shown = ShownWithKey(target.url, *key, *target.s3);
  target.s3 = s3::WithKey(*std::move(target.s3), std::move(*key));
  if (!target.s3.ok()) return target.s3.error();
  target.url = std::move(shown);
  return target;
}

std::string IncludeIdentity(std::string_view url) { return fetch::ResolveTarget(url).Identity(); }

}  // namespace s3us::expand

#include "expand/include_target.h"

#include "aws/s3_location.h"
#include "core/strings.h"
#include "expand/key_template.h"

namespace s3us::expand {
namespace {

// https S3 URLs are percent-decoded once by aws::ParseS3Location, so a templated key is
// encoded for them; s3:// URLs and ARNs take keys literally.
std::string EncodeKeyForHttps(std::string_view key) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : key) {
    unsigned char u = static_cast<unsigned char>(c);
    bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~' || c == '/';
    if (!unreserved) {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

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
  url += https ? EncodeKeyForHttps(*key) : *key;
  url += query;

  Result<aws::S3Location> check = aws::ParseS3Location(url);
  if (!check.ok() || !check->has_key()) {
    return Error(ErrorCode::kInvalidInput, "cannot add the role-default key \"" + *key +
                                               "\" to \"" + std::string(entry) + "\"");
  }
  return url;
}

std::string IncludeIdentity(std::string_view raw) {
  std::string_view url = Trim(raw);
  if (aws::LooksLikeS3(url)) {
    Result<aws::S3Location> location = aws::ParseS3Location(url);
    if (location.ok() && location->has_key()) {
      std::string id = location->ToS3Url();
      if (!location->version_id.empty()) id += "?versionId=" + location->version_id;
      return id;
    }
  }
  return std::string(url);
}

}  // namespace s3us::expand

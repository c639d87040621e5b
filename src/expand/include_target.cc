#include "expand/include_target.h"

#include "aws/s3_location.h"
#include "core/strings.h"
#include "expand/key_template.h"

namespace s3us::expand {
namespace {

// Percent-encodes what would change a URL's meaning if it appeared in a templated key.
std::string EncodeKey(std::string_view key) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : key) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '%' || c == '?' || c == '#' || c == ' ' || u < 0x20 || u == 0x7f) {
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
  if (url.find("://") == std::string::npos && !IStartsWith(url, "arn:")) url = "s3://" + url;
  url += location->access_point_arn.empty() ? "/" : "/object/";
  url += EncodeKey(*key);
  url += query;

  Result<aws::S3Location> check = aws::ParseS3Location(url);
  if (!check.ok() || !check->has_key()) {
    return Error(ErrorCode::kInvalidInput,
                 "cannot add the role-default key \"" + *key + "\" to \"" + std::string(entry) +
                     "\"");
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

#include "s3/location.h"

#include <optional>
#include <vector>

#include "aws/regions.h"
#include "core/secret.h"
#include "core/strings.h"
#include "s3/host.h"

namespace s3us::s3 {
namespace {

constexpr size_t kMaxKeyBytes = 1024;
constexpr size_t kMaxLegacyBucketName = 255;

Error Invalid(std::string message) { return Error(ErrorCode::kInvalidInput, std::move(message)); }
Error Unsupported(std::string message) {
  return Error(ErrorCode::kUnsupported, std::move(message));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || IsDigit(c); }

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool IsIpv4(std::string_view s) {
  std::vector<std::string_view> parts = Split(s, '.');
  if (parts.size() != 4) return false;
  for (std::string_view p : parts) {
    if (!IsAllDigits(p) || p.size() > 3) return false;
  }
  return true;
}

bool IsPartition(std::string_view p) {
  if (p != "aws" && !p.starts_with("aws-")) return false;
  for (char c : p) {
    if (!IsLowerAlnum(c) && c != '-') return false;
  }
  return p.back() != '-';
}

bool IsLegacyBucketChar(char c) {
  return IsLowerAlnum(c) || (c >= 'A' && c <= 'Z') || c == '.' || c == '-' || c == '_';
}

Error BadBucketName(std::string_view b, std::string_view why) {
  return Invalid("invalid bucket name '" + std::string(b) + "': " + std::string(why));
}

// S3's naming rules since March 2018 (general-purpose buckets), which every name a host
// can carry also meets.
Status CheckCurrentBucketRules(std::string_view b) {
  auto bad = [&](std::string_view why) { return BadBucketName(b, why); };
  if (b.size() < 3 || b.size() > 63) return bad("must be 3-63 characters long");
  for (char c : b) {
    if (c >= 'A' && c <= 'Z') return bad("upper-case letters are not allowed");
    if (!IsLowerAlnum(c) && c != '.' && c != '-') {
      return bad("only a-z, 0-9, '.' and '-' are allowed");
    }
  }
  if (!IsLowerAlnum(b.front()) || !IsLowerAlnum(b.back())) {
    return bad("must start and end with a letter or digit");
  }
  if (b.find("..") != std::string_view::npos) return bad("must not contain '..'");
  if (IsIpv4(b)) return bad("must not look like an IP address");
  return Ok();
}

bool IsVersionIdChar(char c) {
  return IsLowerAlnum(c) || (c >= 'A' && c <= 'Z') || c == '.' || c == '_' || c == '-';
}

Status CheckKey(const std::string& key, std::string_view shown) {
  if (key.size() > kMaxKeyBytes) {
    return Invalid("key of '" + Printable(shown) + "' is longer than 1024 bytes");
  }
  return Ok();
}

Result<S3Location> Finish(S3Location loc, std::string_view shown) {
  Status bucket = ValidateBucketName(loc.bucket);
  if (!bucket.ok()) return std::move(bucket).error().WithContext(std::string(shown));
  Status key = CheckKey(loc.key, shown);
  if (!key.ok()) return std::move(key).error();
  return loc;
}

// A trailing "?versionId=ID" of version-like characters, in the s3:// and arn: forms, is
// the version: taken off `rest` into the location.
void TakeVersion(std::string_view& rest, S3Location& loc) {
  size_t q = rest.rfind("?versionId=");
  if (q == std::string_view::npos) return;
  std::string_view v = rest.substr(q + 11);
  bool plain = !v.empty();
  for (char c : v) plain = plain && IsVersionIdChar(c);
  if (!plain) return;
  loc.version_id = std::string(v);
  rest = rest.substr(0, q);
}

Result<S3Location> ParseS3Scheme(std::string_view text) {
  std::string_view rest = text.substr(5);
  S3Location loc;
  TakeVersion(rest, loc);
  size_t slash = rest.find('/');
  loc.bucket = std::string(rest.substr(0, slash));
  if (slash != std::string_view::npos) loc.key = std::string(rest.substr(slash + 1));
  if (loc.bucket.empty()) return Invalid("'" + std::string(text) + "' names no bucket");
  return Finish(std::move(loc), text);
}

Result<S3Location> ParseAccessPointResource(S3Location loc, std::string_view resource,
                                            std::string_view text) {
  // accesspoint/NAME[/object/KEY]; the colon form accesspoint:NAME is accepted too.
  std::string_view rest = resource.substr(12);
  size_t sep = rest.find('/');
  std::string_view name = rest.substr(0, sep);
  if (name.empty()) return Invalid("'" + std::string(text) + "' names no access point");
  if (name.size() < 3 || name.size() > 50) {
    return Invalid("invalid access point name '" + std::string(name) + "': 3-50 characters");
  }
  for (char c : name) {
    if (!IsLowerAlnum(c) && c != '-') {
      return Invalid("invalid access point name '" + std::string(name) +
                     "': only a-z, 0-9 and '-' are allowed");
    }
  }
  if (sep != std::string_view::npos) {
    std::string_view tail = rest.substr(sep + 1);
    if (!tail.empty()) {
      if (!tail.starts_with("object/")) {
        return Invalid("'" + std::string(text) + "': expected accesspoint/NAME/object/KEY");
      }
      loc.key = std::string(tail.substr(7));
    }
  }
  loc.bucket = std::string(name);
  loc.access_point_arn = "arn:" + loc.partition + ":s3:" + loc.region + ":" + loc.account_id +
                         ":accesspoint/" + std::string(name);
  Status key = CheckKey(loc.key, text);
  if (!key.ok()) return std::move(key).error();
  return loc;
}

Result<S3Location> ParseArn(std::string_view text) {
  // arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, where RESOURCE may contain ':'.
  std::vector<std::string_view> f;
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    size_t colon = text.find(':', start);
    if (colon == std::string_view::npos) {
      return Invalid("'" + std::string(text) + "' is not an ARN (arn:aws:s3:::bucket/key)");
    }
    f.push_back(text.substr(start, colon - start));
    start = colon + 1;
  }
  std::string_view resource = text.substr(start);
  std::string_view partition = f[1], service = f[2], region = f[3], account = f[4];
  S3Location loc;
  TakeVersion(resource, loc);
  if (!IsPartition(partition)) {
    return Invalid("'" + std::string(text) + "' has an unknown partition '" +
                   std::string(partition) + "'");
  }
  if (service == "s3-outposts" || service == "s3-object-lambda" || service == "s3express") {
    return Unsupported("'" + std::string(text) + "': " + std::string(service) +
                       " ARNs are not supported");
  }
  if (service != "s3") {
    return Invalid("'" + std::string(text) + "' is not an S3 ARN (service '" +
                   std::string(service) + "')");
  }
  loc.partition = std::string(partition);
  if (resource.starts_with("accesspoint/") || resource.starts_with("accesspoint:")) {
    if (region.empty()) {
      return Unsupported("'" + std::string(text) +
                         "': multi-region access points are not supported");
    }
    if (!aws::IsRegionName(region)) {
      return Invalid("'" + std::string(text) + "' has an invalid region '" + std::string(region) +
                     "'");
    }
    if (account.size() != 12 || !IsAllDigits(account)) {
      return Invalid("'" + std::string(text) + "' has an invalid account id (12 digits)");
    }
    loc.region = std::string(region);
    loc.account_id = std::string(account);
    return ParseAccessPointResource(std::move(loc), resource, text);
  }
  if (!region.empty() || !account.empty()) {
    return Invalid("'" + std::string(text) +
                   "': a bucket ARN has no region or account (arn:aws:s3:::bucket/key)");
  }
  size_t slash = resource.find('/');
  loc.bucket = std::string(resource.substr(0, slash));
  if (slash != std::string_view::npos) loc.key = std::string(resource.substr(slash + 1));
  if (loc.bucket.empty()) return Invalid("'" + std::string(text) + "' names no bucket");
  return Finish(std::move(loc), text);
}

struct HttpsParts {
  std::string_view host, path, query;
};

Result<HttpsParts> SplitHttps(std::string_view text, std::string_view shown) {
  std::string_view rest = text.substr(text.find("://") + 3);
  size_t end = rest.find_first_of("/?#");
  HttpsParts p;
  p.host = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  size_t hash = rest.find('#');
  if (hash != std::string_view::npos) rest = rest.substr(0, hash);
  size_t q = rest.find('?');
  p.path = rest.substr(0, q);
  if (q != std::string_view::npos) p.query = rest.substr(q + 1);
  if (p.host.find('@') != std::string_view::npos) {
    return Invalid("'" + std::string(shown) + "': user names in S3 URLs are not allowed");
  }
  size_t colon = p.host.rfind(':');
  if (colon != std::string_view::npos) {
    std::string_view port = p.host.substr(colon + 1);
    if (!IsAllDigits(port)) return Invalid("'" + std::string(shown) + "' has an invalid port");
    // S3 answers on the scheme's port only: another was silently dropped before.
    if (port != (IStartsWith(text, "https://") ? "443" : "80")) {
      return Invalid("'" + std::string(shown) + "' names port " + std::string(port) +
                     ": S3 endpoints take the default port (another endpoint: --endpoint-url)");
    }
    p.host = p.host.substr(0, colon);
  }
  return p;
}

Status ParseQuery(std::string_view query, S3Location& loc, std::string_view shown) {
  if (query.empty()) return Ok();
  for (std::string_view param : Split(query, '&')) {
    if (!param.starts_with("versionId=")) continue;
    std::optional<std::string> v = PercentDecodeStrict(param.substr(10));
    if (!v || v->empty()) return Invalid("'" + std::string(shown) + "' has an empty versionId");
    if (!loc.version_id.empty()) {
      return Invalid("'" + std::string(shown) + "' has more than one versionId");
    }
    loc.version_id = std::move(*v);
  }
  return Ok();
}

Result<S3Location> ParseHttps(std::string_view text) {
  std::string shown = RedactUrl(text);
  Result<HttpsParts> parts = SplitHttps(text, shown);
  if (!parts.ok()) return std::move(parts).error();
  std::string host = ToLower(parts->host);
  if (host.ends_with('.')) host.pop_back();  // the same name, written as a full DNS name
  Result<S3Host> h = ParseS3Host(host);
  if (!h.ok()) {
    if (h.error().code() == ErrorCode::kInvalidInput) {
      return Invalid("'" + shown + "' is not an S3 URL: " + h.error().message());
    }
    return std::move(h).error().WithContext(shown);
  }
  S3Location loc;
  loc.fips = h->fips;
  loc.dualstack = h->dualstack;
  loc.region = h->region;
  loc.partition = h->partition;

  std::string_view path = parts->path;
  if (path.starts_with("/")) path.remove_prefix(1);
  std::string bucket_label = h->bucket_label;
  std::string_view raw_key = path;
  if (bucket_label.empty()) {
    if (h->access_point) return Invalid("'" + shown + "' names no access point");
    size_t slash = path.find('/');
    std::optional<std::string> b = PercentDecodeStrict(path.substr(0, slash));
    if (!b) return Invalid("'" + shown + "' has an invalid percent-escape");
    if (b->empty()) return Invalid("'" + shown + "' names no bucket (path-style URL)");
    bucket_label = std::move(*b);
    raw_key = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
  }
  std::optional<std::string> key = PercentDecodeStrict(raw_key);
  if (!key) return Invalid("'" + shown + "' has an invalid percent-escape");
  loc.key = std::move(*key);
  Status query = ParseQuery(parts->query, loc, shown);
  if (!query.ok()) return std::move(query).error();

  if (h->access_point) {
    // NAME-ACCOUNT.s3-accesspoint.REGION.amazonaws.com
    size_t dash = bucket_label.rfind('-');
    std::string account = dash == std::string::npos ? "" : bucket_label.substr(dash + 1);
    if (account.size() != 12 || !IsAllDigits(account) || loc.region.empty()) {
      return Invalid("'" + shown + "': expected NAME-ACCOUNT.s3-accesspoint.REGION host");
    }
    loc.account_id = account;
    std::string resource = "accesspoint/" + bucket_label.substr(0, dash);
    return ParseAccessPointResource(std::move(loc), resource, shown);
  }
  if (!h->bucket_label.empty()) {
    // A host cannot name a bucket from before 2018: DNS ignores case, and S3 serves those
    // names path-style only.
    Status current = CheckCurrentBucketRules(bucket_label);
    if (!current.ok()) return std::move(current).error().WithContext(shown);
  }
  loc.bucket = std::move(bucket_label);
  return Finish(std::move(loc), shown);
}

bool HasControlChar(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  return false;
}

}  // namespace

std::string S3Location::ToS3Url() const {
  if (!access_point_arn.empty()) {
    return key.empty() ? access_point_arn : access_point_arn + "/object/" + key;
  }
  return "s3://" + bucket + "/" + key;
}

Result<S3Location> WithKey(S3Location location, std::string key) {
  if (key.empty()) return Invalid("the key of '" + location.ToS3Url() + "' would be empty");
  location.key = std::move(key);
  Status fits = CheckKey(location.key, location.ToS3Url());
  if (!fits.ok()) return std::move(fits).error();
  return location;
}

Status ValidateBucketName(std::string_view b) {
  auto bad = [&](std::string_view why) { return BadBucketName(b, why); };
  // botocore's check (^[a-zA-Z0-9.\-_]{1,255}$) but for names under 3 characters, which S3
  // never had ("." and ".." would be dot segments in a path-style URL).
  if (b.size() < 3) return bad("must be 3-63 characters long");
  if (b.size() > kMaxLegacyBucketName) {
    return bad("must be 3-63 characters long (up to 255 in a name from before March 2018)");
  }
  for (char c : b) {
    if (!IsLegacyBucketChar(c)) {
      return bad(
          "only a-z, 0-9, '.' and '-' are allowed (also A-Z and '_' in a name from "
          "before March 2018)");
    }
  }
  if (EndsWith(b, "--x-s3")) {
    return Unsupported("bucket '" + std::string(b) +
                       "' is an S3 Express directory bucket, which is not supported");
  }
  return Ok();
}

bool IsLegacyBucketName(std::string_view bucket) {
  return ValidateBucketName(bucket).ok() && !CheckCurrentBucketRules(bucket).ok();
}

bool LooksLikeS3(std::string_view text) {
  if (IStartsWith(text, "s3://")) return true;
  if (IStartsWith(text, "arn:")) {
    std::vector<std::string_view> f = Split(text, ':');
    return f.size() >= 6 && f[2].starts_with("s3");
  }
  if (IStartsWith(text, "https://") || IStartsWith(text, "http://")) {
    // By its host alone: an S3 URL with a bad path or query is an S3 location in error,
    // not a plain URL to fetch unsigned.
    std::string_view rest = text.substr(text.find("://") + 3);
    std::string host = ToLower(rest.substr(0, rest.find_first_of("/?#")));
    host = host.substr(host.rfind('@') == std::string::npos ? 0 : host.rfind('@') + 1);
    if (size_t colon = host.rfind(':'); colon != std::string::npos) host.resize(colon);
    if (host.ends_with('.')) host.pop_back();
    Result<S3Host> h = ParseS3Host(host);
    return h.ok() || h.error().code() == ErrorCode::kUnsupported;
  }
  return ValidateBucketName(text).ok();
}

Result<S3Location> ParseS3Location(std::string_view text) {
  if (text.empty()) return Invalid("empty S3 location");
  if (HasControlChar(text)) {
    return Invalid("S3 location '" + RedactUrl(text) + "' contains a control character");
  }
  if (IStartsWith(text, "s3://")) return ParseS3Scheme(text);
  if (IStartsWith(text, "arn:")) return ParseArn(text);
  if (IStartsWith(text, "https://") || IStartsWith(text, "http://")) return ParseHttps(text);
  if (text.find("://") != std::string_view::npos) {
    return Invalid("'" + RedactUrl(text) + "' is not an S3 location (use s3://bucket/key)");
  }
  if (text.find('/') != std::string_view::npos) {
    return Invalid("'" + std::string(text) +
                   "' is not an S3 location: a bare name must be a bucket (use "
                   "s3://bucket/key)");
  }
  S3Location loc;
  loc.bucket = std::string(text);
  Status bucket = ValidateBucketName(loc.bucket);
  if (!bucket.ok()) return std::move(bucket).error();
  return loc;
}

}  // namespace s3us::s3

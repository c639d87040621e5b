#include "s3/endpoint.h"

#include <optional>
#include <vector>

#include "aws/regions.h"
#include "aws/sigv4.h"
#include "core/strings.h"

namespace s3us::s3 {
namespace {

bool LooksLikeRegion(std::string_view s) {
  return s.find('-') != std::string_view::npos && s.find_first_of("0123456789") != s.npos;
}

struct Override {
  std::string scheme;
  std::string authority;  // host[:port], lower-case
  std::string base_path;  // "" or "/base" (no trailing '/')
};

Result<Override> ParseOverride(std::string_view url) {
  Override o;
  size_t sep = url.find("://");
  if (sep == std::string_view::npos) {
    return Error(ErrorCode::kInvalidInput,
                 "S3 endpoint override \"" + std::string(url) + "\" is not an http(s) URL");
  }
  o.scheme = ToLower(url.substr(0, sep));
  if (o.scheme != "http" && o.scheme != "https") {
    return Error(ErrorCode::kInvalidInput,
                 "S3 endpoint override \"" + std::string(url) + "\" is not an http(s) URL");
  }
  std::string_view rest = url.substr(sep + 3);
  rest = rest.substr(0, rest.find_first_of("?#"));
  size_t slash = rest.find('/');
  o.authority = ToLower(rest.substr(0, slash));
  if (size_t at = o.authority.rfind('@'); at != std::string::npos) o.authority.erase(0, at + 1);
  if (o.authority.empty()) {
    return Error(ErrorCode::kInvalidInput,
                 "S3 endpoint override \"" + std::string(url) + "\" has no host");
  }
  if (slash != std::string_view::npos) o.base_path = std::string(rest.substr(slash));
  while (!o.base_path.empty() && o.base_path.back() == '/') o.base_path.pop_back();
  return o;
}

// Host header: the authority without a default port.
std::string HostHeader(const Override& o) {
  std::string_view default_port = o.scheme == "https" ? ":443" : ":80";
  std::string host = o.authority;
  if (host.ends_with(default_port)) host.resize(host.size() - default_port.size());
  return host;
}

// A location that names its partition (an ARN, an https host) is only ever addressed in it:
// a bucket name means another bucket, owned by someone else, in another partition.
Status CheckPartition(const S3Location& location, std::string_view region) {
  if (location.partition.empty()) return Ok();
  std::string partition = aws::PartitionOfRegion(region);
  if (location.partition == partition) return Ok();
  return Error(ErrorCode::kInvalidInput,
               "names partition " + location.partition + " but would be signed for region " +
                   std::string(region) + " (partition " + partition + "); give a region of " +
                   location.partition + " (--region, AWS_REGION)");
}

// An access point ARN's parts: arn:partition:s3:region:account:accesspoint/name (or
// accesspoint:name).
struct AccessPoint {
  std::string region;
  std::string label;  // "name-account", the first label of every host it is reached at
};

Result<AccessPoint> ParseAccessPointArn(std::string_view arn) {
  std::vector<std::string_view> parts = Split(arn, ':');
  if (parts.size() < 6 || parts[2] != "s3" || parts[3].empty() || parts[4].empty()) {
    return Error(ErrorCode::kInvalidInput,
                 "malformed S3 access point ARN \"" + std::string(arn) + "\"");
  }
  std::string_view resource = arn;
  resource.remove_prefix(parts[0].size() + parts[1].size() + parts[2].size() + parts[3].size() +
                         parts[4].size() + 5);
  if (!resource.starts_with("accesspoint/") && !resource.starts_with("accesspoint:")) {
    return Error(ErrorCode::kInvalidInput,
                 "unsupported S3 ARN resource \"" + std::string(resource) + "\"");
  }
  return AccessPoint{std::string(parts[3]),
                     std::string(resource.substr(12)) + "-" + std::string(parts[4])};
}

// The instance's DNS suffix (IMDS services/domain) serves the regions of its own partition;
// in a partition this build does not know, every region (as before partitions were told
// apart). Any other region is in a partition of its own, with that partition's suffix.
std::string DomainFor(std::string_view region, const S3EndpointOptions& options) {
  if (!options.domain.empty() &&
      (options.domain_partition.empty() || !aws::IsKnownPartition(options.domain_partition) ||
       aws::PartitionOfRegion(region) == options.domain_partition)) {
    return options.domain;
  }
  return aws::DomainForRegion(region);
}

}  // namespace

bool IsVirtualHostableBucket(std::string_view bucket) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  for (char c : bucket) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return bucket.front() != '-' && bucket.back() != '-';
}

std::string EncodeS3Key(std::string_view key) { return aws::UriEncode(key, /*keep_slash=*/true); }

Result<S3Endpoint> ResolveS3Endpoint(const S3Location& location, std::string_view region,
                                     const S3EndpointOptions& options) {
  S3Endpoint ep;
  ep.signing_region = std::string(region);
  if (!location.version_id.empty()) {
    ep.query = "versionId=" + aws::UriEncode(location.version_id, /*keep_slash=*/false);
  }
  std::string key_path = "/" + EncodeS3Key(location.key);
  std::optional<AccessPoint> ap;
  if (!location.access_point_arn.empty()) {
    Result<AccessPoint> parsed = ParseAccessPointArn(location.access_point_arn);
    if (!parsed.ok()) return std::move(parsed).error();
    ap = std::move(parsed).value();
    ep.signing_region = ap->region;
  }

  if (!options.endpoint_override.empty()) {
    Result<Override> o = ParseOverride(options.endpoint_override);
    if (!o.ok()) return std::move(o).error();
    if (ap) {
      // As botocore: the access point's own label in front of the override's host. Its name
      // alone, path-style, would be a bucket of that name, which anyone may own.
      ep.host = ap->label + "." + HostHeader(*o);
      ep.path = o->base_path + key_path;
      ep.url = o->scheme + "://" + ap->label + "." + o->authority + ep.path;
    } else {
      ep.host = HostHeader(*o);
      ep.path = o->base_path + "/" + aws::UriEncode(location.bucket, false) + key_path;
      ep.path_style = true;
      ep.url = o->scheme + "://" + o->authority + ep.path;
    }
  } else {
    // An override is the user's own choice of host; AWS's own are per partition.
    if (Status s = CheckPartition(location, ep.signing_region); !s.ok()) return s.error();
    bool fips = options.use_fips || location.fips;
    bool dualstack = options.use_dualstack || location.dualstack;
    std::string suffix = std::string(dualstack ? ".dualstack." : ".") + ep.signing_region + "." +
                         DomainFor(ep.signing_region, options);
    if (ap) {
      ep.host = ap->label + (fips ? ".s3-accesspoint-fips" : ".s3-accesspoint") + suffix;
      ep.path = key_path;
    } else {
      std::string service_host = (fips ? "s3-fips" : "s3") + suffix;
      if (IsVirtualHostableBucket(location.bucket)) {
        ep.host = location.bucket + "." + service_host;
        ep.path = key_path;
      } else {
        ep.host = service_host;
        ep.path = "/" + aws::UriEncode(location.bucket, false) + key_path;
        ep.path_style = true;
      }
    }
    ep.url = "https://" + ep.host + ep.path;
  }
  if (!ep.query.empty()) ep.url += "?" + ep.query;
  return ep;
}

std::string RegionFromS3Host(std::string_view host) {
  std::string h = ToLower(host.substr(0, host.find(':')));
  std::vector<std::string_view> labels = Split(h, '.');
  for (size_t i = labels.size(); i-- > 0;) {
    std::string_view label = labels[i];
    if (label != "s3" && !label.starts_with("s3-")) continue;
    if (label.starts_with("s3-")) {
      std::string_view rest = label.substr(3);
      if (rest == "external-1") return "us-east-1";
      if (LooksLikeRegion(rest)) return std::string(rest);
    }
    for (size_t j = i + 1; j < labels.size(); ++j) {
      if (LooksLikeRegion(labels[j])) return std::string(labels[j]);
      if (labels[j] == "amazonaws") return "us-east-1";
    }
    return {};
  }
  return {};
}

}  // namespace s3us::s3

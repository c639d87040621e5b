#include "s3/host.h"

#include <array>
#include <optional>
#include <vector>

#include "aws/regions.h"
#include "core/strings.h"

namespace s3us::s3 {
namespace {

struct Domain {
  std::string_view suffix;  // with the leading dot
  std::string_view partition;
};
// Longest first, so ".amazonaws.com.cn" is tried before ".amazonaws.com".
constexpr std::array<Domain, 7> kDomains{{
    {".amazonaws.com.cn", "aws-cn"},
    {".amazonaws.com", "aws"},
    {".amazonaws.eu", "aws-eusc"},
    {".c2s.ic.gov", "aws-iso"},
    {".sc2s.sgov.gov", "aws-iso-b"},
    {".cloud.adc-e.uk", "aws-iso-e"},
    {".csp.hci.ic.gov", "aws-iso-f"},
}};

std::optional<Domain> DomainOf(std::string_view host) {
  for (const Domain& d : kDomains) {
    if (host.ends_with(d.suffix)) return d;
  }
  return std::nullopt;
}

// The S3 label of a host, e.g. "s3", "s3-fips", "s3-us-west-2", "s3-accesspoint".
struct ServiceLabel {
  bool ok = false;
  bool fips = false;
  bool access_point = false;
  std::string region;  // from a legacy dash form
  bool unsupported = false;
};

ServiceLabel ClassifyServiceLabel(std::string_view label) {
  ServiceLabel s;
  if (!label.starts_with("s3")) return s;
  std::string_view rest = label.substr(2);
  if (rest.empty() || rest == "-accelerate") {
    s.ok = true;
  } else if (rest == "-fips") {
    s.ok = s.fips = true;
  } else if (rest == "-accesspoint" || rest == "-accesspoint-fips") {
    s.ok = s.access_point = true;
    s.fips = rest.ends_with("-fips");
  } else if (rest == "-external-1") {
    s.ok = true;
    s.region = "us-east-1";
  } else if (rest.starts_with("-website") || rest == "-control" || rest == "-outposts" ||
             rest == "-object-lambda" || rest.starts_with("express")) {
    s.unsupported = true;
  } else if (rest.starts_with("-fips-") && aws::IsRegionName(rest.substr(6))) {
    s.ok = s.fips = true;
    s.region = std::string(rest.substr(6));
  } else if (rest.starts_with("-") && aws::IsRegionName(rest.substr(1))) {
    s.ok = true;
    s.region = std::string(rest.substr(1));
  }
  return s;
}

}  // namespace

Result<S3Host> ParseS3Host(std::string_view host) {
  auto not_s3 = [&] {
    return Error(ErrorCode::kInvalidInput, "not an S3 host '" + std::string(host) + "'");
  };
  std::optional<Domain> domain = DomainOf(host);
  if (!domain) return not_s3();
  std::vector<std::string_view> labels =
      Split(host.substr(0, host.size() - domain->suffix.size()), '.');

  // The service label is the right-most one that looks like S3: bucket names may contain
  // "s3" labels, but at most "dualstack" and a region follow the service label.
  size_t svc = labels.size();
  ServiceLabel service;
  for (size_t i = labels.size(); i-- > 0 && labels.size() - i <= 3;) {
    service = ClassifyServiceLabel(labels[i]);
    if (service.unsupported) {
      return Error(ErrorCode::kUnsupported,
                   std::string(labels[i]) + " endpoints are not supported; use s3://bucket/key");
    }
    if (service.ok) {
      svc = i;
      break;
    }
  }
  if (svc == labels.size()) return not_s3();

  S3Host out;
  out.fips = service.fips;
  out.access_point = service.access_point;
  out.region = service.region;
  for (size_t i = svc + 1; i < labels.size(); ++i) {
    if (labels[i] == "dualstack" && i == svc + 1) {
      out.dualstack = true;
    } else if (aws::IsRegionName(labels[i]) && i + 1 == labels.size() && out.region.empty()) {
      out.region = std::string(labels[i]);
    } else {
      return Error(ErrorCode::kInvalidInput, "unexpected host '" + std::string(host) + "'");
    }
  }
  out.partition = domain->partition != "aws" || out.region.empty()
                      ? std::string(domain->partition)
                      : aws::PartitionOfRegion(out.region);
  for (size_t i = 0; i < svc; ++i) {
    if (i > 0) out.bucket_label += '.';
    out.bucket_label += labels[i];
  }
  return out;
}

}  // namespace s3us::s3

#include "aws/regions.h"

#include <vector>

#include "core/strings.h"

namespace s3us::aws {
bool IsRegionName(std::string_view s) {
  std::vector<std::string_view> parts = Split(s, '-');
  if (parts.size() < 3 || !IsAllDigits(parts.back())) return false;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    if (parts[i].empty()) return false;
    for (char c : parts[i]) {
      if (c < 'a' || c > 'z') return false;
    }
  }
  return true;
}

namespace {

struct Partition {
  std::string_view region_prefix;
  std::string_view name;
  std::string_view domain;
};
// "us-isob-" before "us-iso-"; "aws" (no prefix) is every other region.
constexpr Partition kPartitions[] = {
    {"cn-", "aws-cn", "amazonaws.com.cn"},       {"us-gov-", "aws-us-gov", "amazonaws.com"},
    {"us-isob-", "aws-iso-b", "sc2s.sgov.gov"},  {"us-iso-", "aws-iso", "c2s.ic.gov"},
    {"eu-isoe-", "aws-iso-e", "cloud.adc-e.uk"}, {"us-isof-", "aws-iso-f", "csp.hci.ic.gov"},
    {"eusc-", "aws-eusc", "amazonaws.eu"},
};

const Partition* PartitionOf(std::string_view region) {
  for (const Partition& p : kPartitions) {
    if (region.starts_with(p.region_prefix)) return &p;
  }
  return nullptr;
}

}  // namespace

std::string PartitionOfRegion(std::string_view region) {
  const Partition* p = PartitionOf(region);
  return std::string(p ? p->name : "aws");
}

bool IsKnownPartition(std::string_view partition) {
  if (partition == "aws") return true;
  for (const Partition& p : kPartitions) {
    if (p.name == partition) return true;
  }
  return false;
}

std::string RegionFromAvailabilityZone(std::string_view zone) {
  // The region ends with the first number that follows a '-': "us-east-1a", "us-west-2-lax-1a".
  for (size_t i = 1; i < zone.size(); ++i) {
    if (zone[i - 1] == '-' && zone[i] >= '0' && zone[i] <= '9') {
      size_t end = i;
      while (end < zone.size() && zone[end] >= '0' && zone[end] <= '9') ++end;
      return std::string(zone.substr(0, end));
    }
  }
  return {};
}

std::string DomainForRegion(std::string_view region) {
  const Partition* p = PartitionOf(region);
  return std::string(p ? p->domain : "amazonaws.com");
}

}  // namespace s3us::aws

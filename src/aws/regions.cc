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

std::string PartitionOfRegion(std::string_view region) {
  if (region.starts_with("cn-")) return "aws-cn";
  if (region.starts_with("us-gov-")) return "aws-us-gov";
  if (region.starts_with("us-isob-")) return "aws-iso-b";
  if (region.starts_with("us-iso-")) return "aws-iso";
  return "aws";
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
  if (region.starts_with("cn-")) return "amazonaws.com.cn";
  if (region.starts_with("us-isob-")) return "sc2s.sgov.gov";
  if (region.starts_with("us-iso-")) return "c2s.ic.gov";
  return "amazonaws.com";
}

}  // namespace s3us::aws

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

}  // namespace s3us::aws

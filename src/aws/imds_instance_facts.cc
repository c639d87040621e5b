// ImdsClient::FetchInstanceFacts: the independent metadata paths, fetched concurrently.
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "aws/imds_client.h"
#include "aws/json_field.h"
#include "aws/regions.h"
#include "core/parallel.h"
#include "core/strings.h"

namespace s3us::aws {
namespace {

enum Path { kRole, kInstanceId, kRegion, kZone, kType, kIdentity, kDomain, kPartition, kCount };

constexpr std::string_view kPaths[kCount] = {
    "/latest/meta-data/iam/security-credentials/",
    "/latest/meta-data/instance-id",
    "/latest/meta-data/placement/region",
    "/latest/meta-data/placement/availability-zone",
    "/latest/meta-data/instance-type",
    "/latest/dynamic/instance-identity/document",
    "/latest/meta-data/services/domain",
    "/latest/meta-data/services/partition",
};

// A DNS suffix ("amazonaws.com", "c2s.ic.gov"): labels of letters, digits and hyphens.
bool IsDomainName(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  for (std::string_view label : Split(name, '.')) {
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-')) {
        return false;
      }
    }
  }
  return true;
}

// The role goes into a request path; the region and the domain into S3's host name.
Status CheckFacts(const InstanceFacts& facts) {
  if (!facts.role.empty() && !IsIamRoleName(facts.role)) return NoRoleName(facts.role);
  if (!IsRegionName(facts.region)) {
    return Error(ErrorCode::kInvalidInput, "IMDS names a region that is no region name (" +
                                               Printable(facts.region, 80) + ")");
  }
  if (!IsDomainName(facts.domain)) {
    return Error(ErrorCode::kInvalidInput, "IMDS names a DNS domain that is no domain name (" +
                                               Printable(facts.domain, 80) + ")");
  }
  return Ok();
}

}  // namespace

Result<InstanceFacts> ImdsClient::FetchInstanceFacts(const FactsWanted& wanted) {
  if (Status st = AcquireToken(); !st.ok()) {
    return std::move(st).error().WithContext("reading instance metadata");
  }
  // One parallel round for what the identity document holds plus what it does not.
  std::vector<std::optional<Result<std::string>>> results(kCount);
  auto fetch = [this, &results](const std::vector<int>& which) {
    ParallelFor(which.size(), static_cast<int>(which.size()),
                [&](size_t n) { results[which[n]].emplace(Get(kPaths[which[n]])); });
  };
  std::vector<int> first = {kIdentity, kRole};
  if (wanted.domain) first.insert(first.end(), {kDomain, kPartition});
  fetch(first);
  nlohmann::json identity;
  if (results[kIdentity]->ok()) {
    identity = nlohmann::json::parse(results[kIdentity]->value(), nullptr, false);
  }
  // Read individually only what the identity document did not say.
  std::vector<int> missing;
  if (JsonString(identity, "instanceId").empty()) missing.push_back(kInstanceId);
  if (JsonString(identity, "region").empty()) missing.push_back(kRegion);
  if (JsonString(identity, "availabilityZone").empty()) missing.push_back(kZone);
  if (wanted.instance_type && JsonString(identity, "instanceType").empty())
    missing.push_back(kType);
  fetch(missing);

  // Values by path; "" for a 404 or a path not asked; any other failure ends the fetch.
  std::string values[kCount];
  for (int i = 0; i < kCount; ++i) {
    if (!results[i]) continue;
    Result<std::string>& r = *results[i];
    if (r.ok()) {
      values[i] = r.value();
    } else if (r.error().code() != ErrorCode::kNotFound) {
      return std::move(r).error().WithContext("reading instance metadata");
    }
  }

  InstanceFacts facts;
  for (std::string_view line : SplitLines(values[kRole])) {
    if (!Trim(line).empty()) {
      facts.role = std::string(Trim(line));
      break;
    }
  }
  facts.instance_id = std::string(Trim(values[kInstanceId]));
  if (facts.instance_id.empty()) facts.instance_id = JsonString(identity, "instanceId");
  if (facts.instance_id.empty()) {
    return Error(ErrorCode::kNotFound, "IMDS names no instance id for this instance")
        .WithContext("reading instance metadata");
  }
  facts.availability_zone = std::string(Trim(values[kZone]));
  if (facts.availability_zone.empty())
    facts.availability_zone = JsonString(identity, "availabilityZone");
  facts.region = std::string(Trim(values[kRegion]));
  if (facts.region.empty()) facts.region = JsonString(identity, "region");
  if (facts.region.empty()) facts.region = RegionFromAvailabilityZone(facts.availability_zone);
  if (facts.region.empty()) {
    return Error(ErrorCode::kNotFound, "IMDS names no region for this instance")
        .WithContext("reading instance metadata");
  }
  facts.instance_type = std::string(Trim(values[kType]));
  if (facts.instance_type.empty()) facts.instance_type = JsonString(identity, "instanceType");
  facts.account_id = JsonString(identity, "accountId");
  std::string domain(Trim(values[kDomain]));
  facts.domain = domain.empty() ? DomainForRegion(facts.region) : domain;
  std::string partition(Trim(values[kPartition]));
  facts.partition = partition.empty() ? PartitionOfRegion(facts.region) : partition;
  if (Status s = CheckFacts(facts); !s.ok()) {
    return std::move(s).error().WithContext("reading instance metadata");
  }
  return facts;
}

Result<std::optional<int>> ImdsClient::GetLaunchIndex() {
  Result<std::string> text = Get("/latest/meta-data/ami-launch-index");
  if (!text.ok() && text.error().code() == ErrorCode::kNotFound) return std::optional<int>();
  if (!text.ok()) return std::move(text).error().WithContext("reading the launch index");
  std::string_view digits = Trim(*text);
  if (digits.empty() || digits.size() > 9 || !IsAllDigits(digits)) return std::optional<int>();
  return std::optional<int>(std::stoi(std::string(digits)));
}

}  // namespace s3us::aws

// ImdsClient::FetchInstanceFacts: the independent metadata paths, fetched concurrently.
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <vector>

#include "aws/imds_client.h"
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

std::string Field(const nlohmann::json& doc, const char* name) {
  if (!doc.is_object()) return {};
  auto it = doc.find(name);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

Result<InstanceFacts> ImdsClient::FetchInstanceFacts() {
  // Take the token first, so the concurrent GETs share it instead of queueing for it.
  std::vector<std::optional<Result<std::string>>> results(kCount);
  results[kInstanceId].emplace(Get(kPaths[kInstanceId]));
  if (!results[kInstanceId]->ok()) {
    return std::move(*results[kInstanceId]).error().WithContext("reading instance metadata");
  }
  std::vector<std::thread> threads;
  threads.reserve(kCount);
  for (int i = 0; i < kCount; ++i) {
    if (i == kInstanceId) continue;
    threads.emplace_back([this, i, &results] { results[i].emplace(Get(kPaths[i])); });
  }
  for (std::thread& t : threads) t.join();

  // Values by path; "" for a 404; any other failure ends the whole fetch.
  std::string values[kCount];
  for (int i = 0; i < kCount; ++i) {
    Result<std::string>& r = *results[i];
    if (r.ok()) {
      values[i] = r.value();
    } else if (r.error().code() != ErrorCode::kNotFound || i == kInstanceId) {
      return std::move(r).error().WithContext("reading instance metadata");
    }
  }

  InstanceFacts facts;
  nlohmann::json identity =
      nlohmann::json::parse(values[kIdentity], nullptr, /*allow_exceptions=*/false);
  for (std::string_view line : SplitLines(values[kRole])) {
    if (!Trim(line).empty()) {
      facts.role = std::string(Trim(line));
      break;
    }
  }
  facts.instance_id = std::string(Trim(values[kInstanceId]));
  facts.availability_zone = std::string(Trim(values[kZone]));
  facts.region = std::string(Trim(values[kRegion]));
  if (facts.region.empty()) facts.region = Field(identity, "region");
  if (facts.region.empty()) facts.region = RegionFromAvailabilityZone(facts.availability_zone);
  if (facts.region.empty()) {
    return Error(ErrorCode::kNotFound, "IMDS names no region for this instance")
        .WithContext("reading instance metadata");
  }
  facts.instance_type = std::string(Trim(values[kType]));
  if (facts.instance_type.empty()) facts.instance_type = Field(identity, "instanceType");
  facts.account_id = Field(identity, "accountId");
  std::string domain(Trim(values[kDomain]));
  facts.domain = domain.empty() ? DomainForRegion(facts.region) : domain;
  std::string partition(Trim(values[kPartition]));
  facts.partition = partition.empty() ? PartitionForRegion(facts.region) : partition;
  return facts;
}

}  // namespace s3us::aws

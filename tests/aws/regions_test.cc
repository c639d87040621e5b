#include <catch2/catch.hpp>

#include "aws/regions.h"

namespace s3us::aws {
namespace {

TEST_CASE("Region names and their partitions") {
  CHECK(IsRegionName("us-east-1"));
  CHECK(IsRegionName("us-gov-west-1"));
  CHECK(IsRegionName("ap-southeast-10"));
  CHECK_FALSE(IsRegionName("us-east"));
  CHECK_FALSE(IsRegionName("dualstack"));
  CHECK_FALSE(IsRegionName("US-EAST-1"));
  CHECK(PartitionOfRegion("cn-northwest-1") == "aws-cn");
  CHECK(PartitionOfRegion("us-gov-east-1") == "aws-us-gov");
  CHECK(PartitionOfRegion("us-iso-east-1") == "aws-iso");
  CHECK(PartitionOfRegion("us-isob-east-1") == "aws-iso-b");
  CHECK(PartitionOfRegion("eu-central-2") == "aws");
}

TEST_CASE("Regions of zones and domains of regions") {
  CHECK(RegionFromAvailabilityZone("us-east-1a") == "us-east-1");
  CHECK(RegionFromAvailabilityZone("us-gov-west-1b") == "us-gov-west-1");
  CHECK(RegionFromAvailabilityZone("us-west-2-lax-1a") == "us-west-2");
  CHECK(RegionFromAvailabilityZone("bogus").empty());
  CHECK(DomainForRegion("cn-north-1") == "amazonaws.com.cn");
  CHECK(DomainForRegion("us-iso-east-1") == "c2s.ic.gov");
  CHECK(DomainForRegion("eu-central-1") == "amazonaws.com");
}

}  // namespace
}  // namespace s3us::aws

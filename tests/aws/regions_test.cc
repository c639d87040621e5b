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

}  // namespace
}  // namespace s3us::aws

// Region names, the partition and DNS domain each belongs to, regions of zones: facts about AWS
// regions that the identity side (IMDS facts) and S3 addressing both need. Pure.
#ifndef S3US_AWS_REGIONS_H_
#define S3US_AWS_REGIONS_H_

#include <string>
#include <string_view>

namespace s3us::aws {

// "us-east-1", "us-gov-west-1", "cn-north-1": lower-case words and a trailing number.
bool IsRegionName(std::string_view s);
// The partition a region belongs to ("cn-north-1" → "aws-cn"); "aws" when not special.
std::string PartitionOfRegion(std::string_view region);
// Whether this build knows the partition's regions and domain ("aws", "aws-cn", "aws-iso-e").
bool IsKnownPartition(std::string_view partition);
// The DNS suffix of a region's endpoints: "amazonaws.com.cn" for cn-*, the ISO and EU
// sovereign partitions' own, else "amazonaws.com".
std::string DomainForRegion(std::string_view region);
// The region part of an availability zone ("us-east-1a" → "us-east-1").
std::string RegionFromAvailabilityZone(std::string_view zone);

}  // namespace s3us::aws

#endif  // S3US_AWS_REGIONS_H_

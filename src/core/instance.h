// What we know about the instance we run on (from IMDS, or from flags during replay).
// Plain data shared by the layers that fill it (aws, cli) and the layers that only read
// it (expand for key templates, run for the scripts' environment).
#ifndef S3US_CORE_INSTANCE_H_
#define S3US_CORE_INSTANCE_H_

#include <optional>
#include <string>

namespace s3us {

struct InstanceFacts {
  std::string role;               // IAM role name of the instance profile
  std::string instance_id;        // i-0123456789abcdef0
  std::string region;             // us-east-1
  std::string availability_zone;  // us-east-1a
  std::string account_id;
  std::string instance_type;  // m7g.large
  std::string domain = "amazonaws.com";
  std::string partition = "aws";
  // ami-launch-index: this instance's place in its launch. Set, a part whose Launch-Index
  // names another is not run (cloud-init's launch-index filter); unset, every part runs.
  std::optional<int> launch_index;
};

}  // namespace s3us

#endif  // S3US_CORE_INSTANCE_H_

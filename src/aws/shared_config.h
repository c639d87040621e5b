// Which shared config/credentials files to read and which profile is selected, and the
// loaded, merged profiles.
//
// Locations: AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE ("~/" expanded), else
// $HOME/.aws/config and $HOME/.aws/credentials. Profile: an explicit override, then
// AWS_PROFILE, then AWS_DEFAULT_PROFILE (the AWS CLI v2 order; botocore and aws-sdk-cpp
// read them the other way round), else "default". Missing files are empty. Not
// responsible for what properties mean (aws_config.h, credential_providers.h).
#ifndef S3US_AWS_SHARED_CONFIG_H_
#define S3US_AWS_SHARED_CONFIG_H_

#include <optional>
#include <string>

#include "aws/environment.h"
#include "aws/profile_file.h"
#include "core/error.h"

namespace s3us::aws {

struct SharedFileLocations {
  std::string config;       // empty when neither AWS_CONFIG_FILE nor a home directory is known
  std::string credentials;  // likewise
};

SharedFileLocations LocateSharedFiles(const Environment& env);

struct SharedConfig {
  SharedFileLocations files;
  std::string profile_name = "default";
  std::string profile_source = "default";  // "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "override"
  ProfileSet profiles;                     // may hold secrets: never print values

  // The selected profile, nullptr when no file defines it.
  const Profile* Selected() const { return profiles.FindProfile(profile_name); }
  // "profile 'dev'": for messages.
  std::string Describe() const { return "profile '" + profile_name + "'"; }
};

// Reads and merges the files (config, then credentials). kInvalidInput for a file the
// grammar rejects or for an explicitly selected profile that no file defines; kIo or
// kLimitExceeded when a file exists but cannot be read.
Result<SharedConfig> LoadSharedConfig(const Environment& env,
                                      const std::optional<std::string>& profile_override = {});

}  // namespace s3us::aws

#endif  // S3US_AWS_SHARED_CONFIG_H_

// The grammar of the AWS shared config (~/.aws/config) and credentials
// (~/.aws/credentials) files, as the SDKs' cross-language profile-parser tests define it.
//
// Not responsible for where the files are or which profile is chosen (shared_config.h),
// nor for what the properties mean. Values may be secrets (aws_secret_access_key): error
// messages name the file and line, never a value. Pure: no I/O.
#ifndef S3US_AWS_PROFILE_FILE_H_
#define S3US_AWS_PROFILE_FILE_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace s3us::aws {

enum class ProfileFileKind {
  kConfig,       // [default], [profile name], [sso-session name], [services name]
  kCredentials,  // [name]; "[profile name]" is ignored there
};

// One profile (or sso-session, or services section) after merging every file and section
// that defined it. Property names are lower-case.
struct Profile {
  std::map<std::string, std::string> properties;
  std::vector<std::string> files;  // the files that contributed, for messages
  // Names of the properties the credentials file set (botocore reads static keys from it
  // before credential_process, and those of the config file after).
  std::set<std::string> from_credentials_file;

  // The value, or nullptr when the property is not set.
  const std::string* Get(std::string_view name) const;
  // The indented "key = value" lines under a property with an empty value ("s3 =\n
  // endpoint_url = …"); names lower-case. Empty when unset or not a sub-section.
  std::map<std::string, std::string> SubProperties(std::string_view name) const;
};

struct ProfileSet {
  std::map<std::string, Profile> profiles;
  std::map<std::string, Profile> sso_sessions;
  std::map<std::string, Profile> services;

  const Profile* FindProfile(std::string_view name) const;
  const Profile* FindServices(std::string_view name) const;
};

// Parses one file and merges it into `set`. Merge the config file first and the
// credentials file second: for a property both define, the later file wins, as in the SDKs.
// kInvalidInput ("parsing ~/.aws/config line 3: expected a profile definition") for text
// the grammar rejects; invalid profile or property names are skipped, not errors.
Status MergeProfileFile(std::string_view text, ProfileFileKind kind, std::string_view file_name,
                        ProfileSet& set);

}  // namespace s3us::aws

#endif  // S3US_AWS_PROFILE_FILE_H_

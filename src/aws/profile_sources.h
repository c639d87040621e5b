// Which credential source a profile names, worked out from the shared files (and, for the
// selected profile only, the web identity environment variables), before anything is
// fetched: a base source and the roles to assume from it, in order.
//
// The rules are botocore's (the AWS CLI's): in the selected profile role_arn with
// source_profile or credential_source wins, then web identity (AWS_WEB_IDENTITY_TOKEN_FILE
// / AWS_ROLE_ARN / AWS_ROLE_SESSION_NAME, each over the profile's key), then IAM Identity
// Center (sso_account_id / sso_role_name), static keys, credential_process. A source profile
// with static keys ends the chain even if it also has role_arn; a source_profile naming its
// own profile uses that profile's keys. Pure: reads nothing but the loaded files and the
// environment's variables. Messages name profiles and keys, never values of secrets.
#ifndef S3US_AWS_PROFILE_SOURCES_H_
#define S3US_AWS_PROFILE_SOURCES_H_

#include <string>
#include <vector>

#include "aws/credentials.h"
#include "aws/environment.h"
#include "aws/shared_config.h"
#include "aws/sts_client.h"

namespace s3us::aws {

enum class SourceKind { kStatic, kWebIdentity, kSso, kProcess, kEnvironment, kImds, kContainer };

struct SsoSettings {
  std::string start_url;
  std::string region;  // sso_region: where the portal is
  std::string account_id;
  std::string role_name;
  std::string session_name;  // the [sso-session] name; empty for legacy sso_* keys
};

struct BaseSource {
  SourceKind kind = SourceKind::kStatic;
  std::string profile;  // the profile that names the source; empty for the environment
  Credentials keys;     // kStatic
  // kWebIdentity: the token file and the role (role_arn, session name); `origin` says
  // where they came from ("AWS_WEB_IDENTITY_TOKEN_FILE", "profile 'B'").
  std::string token_file;
  AssumeRoleParams role;
  std::string origin;
  SsoSettings sso;      // kSso
  std::string command;  // kProcess: the credential_process line
};

// One role to assume with the previous step's credentials.
struct RoleStep {
  AssumeRoleParams params;
  std::string profile;  // the profile whose role_arn this is
};

struct SourcePlan {
  BaseSource base;
  std::vector<RoleStep> roles;
};

// kNoCredentials when the selected profile (absent, or without any credential setting)
// and the environment name no source; kInvalidInput for an inconsistent or incomplete
// profile (role_arn without a source, partial keys, a source_profile cycle, web identity
// without role_arn, missing sso_* keys, bad duration_seconds); kUnsupported for mfa_serial.
// `now` names default role sessions.
Result<SourcePlan> ResolveProfileSources(const SharedConfig& shared, const Environment& env,
                                         Clock::WallTime now);

// "web identity", "assume role", …: for messages.
std::string SourceKindName(SourceKind kind);

}  // namespace s3us::aws

#endif  // S3US_AWS_PROFILE_SOURCES_H_

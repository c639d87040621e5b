// AwsConfig: every AWS setting s3-user-script honours, resolved once from explicit
// overrides (command-line flags), the environment and the selected profile, in that order.
//
// Covers region, the S3, STS and SSO endpoint overrides, FIPS/dual-stack, and IMDS (disabled,
// endpoint and mode, IMDSv1 policy, timeout and attempts). Not responsible for credentials
// (credential_providers.h) or for using the settings. Pure apart from Environment reads.
#ifndef S3US_AWS_AWS_CONFIG_H_
#define S3US_AWS_AWS_CONFIG_H_

#include <optional>
#include <string>

#include "aws/environment.h"
#include "aws/shared_config.h"
#include "core/clock.h"
#include "core/error.h"

namespace s3us::aws {

enum class ImdsEndpointMode { kIPv4, kIPv6 };

inline constexpr std::string_view kImdsIPv4Endpoint = "http://169.254.169.254";
inline constexpr std::string_view kImdsIPv6Endpoint = "http://[fd00:ec2::254]";

struct ImdsConfig {
  // AWS_EC2_METADATA_DISABLED=true (case-insensitive) or an override.
  bool disabled = false;
  std::string disabled_reason;  // "AWS_EC2_METADATA_DISABLED is true"
  // Base URL without a trailing '/', e.g. "http://169.254.169.254" or "http://[::1]:1338".
  std::string endpoint = std::string(kImdsIPv4Endpoint);
  ImdsEndpointMode mode = ImdsEndpointMode::kIPv4;
  // AWS_EC2_METADATA_V1_DISABLED / ec2_metadata_v1_disabled: never use IMDSv1.
  bool v1_disabled = false;
  // Our own opt-in (a command-line flag): IMDSv1 is used only when this is set.
  bool allow_v1 = false;
  // AWS_METADATA_SERVICE_TIMEOUT / metadata_service_timeout (seconds; botocore's default
  // is 1 s) and AWS_METADATA_SERVICE_NUM_ATTEMPTS / metadata_service_num_attempts
  // (botocore's default is 1). Unset: the IMDS client's own defaults apply.
  std::optional<Clock::Duration> timeout;
  std::optional<int> attempts;

  bool V1FallbackAllowed() const { return allow_v1 && !v1_disabled; }
  std::string TokenUrl() const { return endpoint + "/latest/api/token"; }
};

// Explicit settings (command-line flags); each wins over the environment and the files.
struct AwsConfigOverrides {
  std::optional<std::string> profile;
  std::optional<std::string> region;
  std::optional<std::string> s3_endpoint_url;
  std::optional<std::string> imds_endpoint;
  std::optional<std::string> imds_endpoint_mode;  // "IPv4" / "IPv6", case-insensitive
  std::optional<bool> imds_disabled;
  std::optional<bool> imds_allow_v1;
};

struct AwsConfig {
  SharedConfig shared;        // files read and profile selected
  std::string region;         // empty: not configured (ask IMDS, then the bucket)
  std::string region_source;  // "AWS_REGION", "profile 'dev' region", "override"
  // S3 endpoint override without a trailing '/' (empty: AWS endpoints), from the override,
  // AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's services section "s3 =
  // endpoint_url", the profile's "s3 = endpoint_url" sub-property, then its endpoint_url,
  // unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS / ignore_configured_endpoint_urls is true.
  std::string s3_endpoint_url;
  std::string s3_endpoint_source;
  // The same overrides for STS (AWS_ENDPOINT_URL_STS, services "sts = endpoint_url") and the
  // IAM Identity Center portal (AWS_ENDPOINT_URL_SSO, "sso = …"); empty: AWS's endpoints.
  std::string sts_endpoint_url;
  std::string sts_endpoint_source;
  std::string sso_endpoint_url;
  std::string sso_endpoint_source;
  // AWS_STS_REGIONAL_ENDPOINTS / sts_regional_endpoints: "legacy" sends the old global
  // regions to sts.amazonaws.com; "regional" (the default) always uses sts.REGION.
  bool sts_regional = true;
  bool use_fips_endpoint = false;       // AWS_USE_FIPS_ENDPOINT / use_fips_endpoint
  bool use_dualstack_endpoint = false;  // AWS_USE_DUALSTACK_ENDPOINT / use_dualstack_endpoint
  // AWS_MAX_ATTEMPTS / max_attempts (total attempts of a request, the first included, 1 to
  // 999) and AWS_RETRY_MODE / retry_mode (legacy, standard or adaptive), the environment
  // over the profile as botocore. Unset: nullopt and empty.
  std::optional<int> max_attempts;
  std::string retry_mode;
  ImdsConfig imds;
};

// kInvalidInput naming the variable or profile property and the bad value's problem
// (values of these settings are not secret); errors of LoadSharedConfig pass through.
Result<AwsConfig> LoadAwsConfig(const Environment& env, const AwsConfigOverrides& overrides = {});

// The IMDS part alone, given the loaded files and selected profile.
Result<ImdsConfig> ResolveImdsConfig(const Environment& env, const SharedConfig& shared,
                                     const AwsConfigOverrides& overrides = {});

// Checks an http(s) base URL ("http://host[:port][/path]") and drops a trailing '/'.
// kInvalidInput ("invalid uri character ' '") otherwise; `what` names the setting.
Result<std::string> NormalizeEndpointUrl(std::string_view url, std::string_view what);

// The checks LoadAwsConfig makes of a region and of an endpoint URL, for a caller that names
// the value's source itself (a command-line flag): kInvalidInput whose message is the problem
// alone ("a region has only a-z, 0-9 and '-'", "expected an http:// or https:// URL").
Status CheckRegion(std::string_view region);
Status CheckEndpointUrl(std::string_view url);

}  // namespace s3us::aws

#endif  // S3US_AWS_AWS_CONFIG_H_

#include "cli/services.h"

#include <sys/stat.h>

#include <algorithm>

#include "aws/credential_chain.h"
#include "aws/imds_credentials.h"
#include "aws/regions.h"
#include "core/files.h"
#include "core/log.h"
#include "expand/key_template.h"

namespace s3us::cli {
namespace {

// A user-data blob is at most 16 KiB on EC2; replayed files may be larger, within reason.
constexpr uint64_t kMaxUserDataBytes = 16u << 20;

aws::ImdsOptions ImdsOptionsFor(const Options& options, const aws::ImdsConfig& config, Where where,
                                Deadline deadline) {
  aws::ImdsOptions o;
  o.deadline = deadline;
  o.allow_imdsv1 = config.V1FallbackAllowed();
  if (config.timeout) o.request_timeout = *config.timeout;
  if (where == Where::kWorkstation) {
    // Off EC2, 169.254.169.254 never answers: give up quickly instead of waiting for boot.
    o.request_timeout = std::min(o.request_timeout, Clock::Duration(1000));
    o.wait_for_imds = Clock::Duration(1500);
  } else {
    o.wait_for_imds = std::chrono::seconds(options.deadline_seconds);
  }
  return o;
}

// AWS_MAX_ATTEMPTS / max_attempts and AWS_RETRY_MODE / retry_mode (aws_config.h). Every
// mode keeps our jittered backoff; only the attempt count differs.
net::RetryPolicy RetryPolicyFor(const aws::AwsConfig& config) {
  net::RetryPolicy policy;
  if (!config.retry_mode.empty()) {
    policy.max_attempts = config.retry_mode == "legacy" ? 5 : 3;  // the AWS CLI's defaults
    policy.throttles_until_deadline = false;
  }
  if (config.max_attempts) {
    policy.max_attempts = *config.max_attempts;
    policy.throttles_until_deadline = false;
  }
  return policy;
}

// libcurl opens AWS_CA_BUNDLE itself at each TLS handshake, with no deadline: a FIFO there
// held every request for ever. A missing or unreadable bundle is left to curl's own error
// (curl_errors names the variable).
Status CheckCaBundle(const std::string& path) {
  struct stat st;
  if (path.empty() || stat(path.c_str(), &st) != 0 || S_ISREG(st.st_mode)) return Ok();
  return Error(ErrorCode::kInvalidInput, "AWS_CA_BUNDLE=" + path + " is not a regular file");
}

}  // namespace

Services::~Services() {
  // Users of the transport go first; the member order already ensures it, this makes it
  // explicit for the loop thread's sake.
  fetcher.reset();
  s3.reset();
  credentials.reset();
  imds_credentials.reset();
  imds.reset();
  transport.reset();
  curl.reset();
}

Result<std::unique_ptr<Services>> BuildServices(const Options& options, Where where) {
  auto s = std::make_unique<Services>();
  s->deadline = Deadline::After(*s->clock, std::chrono::seconds(options.deadline_seconds));

  aws::Environment env = aws::Environment::Process(s->deadline, *s->clock);
  aws::AwsConfigOverrides overrides;
  if (!options.region.empty()) overrides.region = options.region;
  if (!options.endpoint_url.empty()) overrides.s3_endpoint_url = options.endpoint_url;
  if (options.allow_imdsv1) overrides.imds_allow_v1 = true;
  Result<aws::AwsConfig> config = aws::LoadAwsConfig(env, overrides);
  if (!config.ok()) return std::move(config).error().WithContext("reading AWS configuration");
  s->config = std::move(config).value();

  // --max-parallel is the one knob for requests in flight: libcurl's per-host cap follows
  // it (a lower cap would queue transfers inside libcurl, one round trip per cap), and the
  // total leaves room for the IMDS connections beside the S3 ones.
  net::CurlTransportOptions transport_options = net::CurlTransportOptions::FromEnvironment();
  if (Status ca = CheckCaBundle(transport_options.ca_bundle); !ca.ok()) return ca.error();
  for (const net::ProxySetting* proxy :
       {&transport_options.http_proxy, &transport_options.https_proxy}) {
    if (Status usable = net::CheckProxy(*proxy); !usable.ok()) return usable.error();
  }
  transport_options.max_host_connections = options.max_parallel;
  transport_options.max_total_connections =
      std::max<long>(transport_options.max_total_connections, options.max_parallel + 4L);
  s->curl = std::make_unique<net::CurlTransport>(std::move(transport_options));
  s->transport =
      std::make_unique<net::RetryingTransport>(*s->curl, *s->clock, RetryPolicyFor(s->config));

  if (!s->config.imds.disabled) {
    s->imds = std::make_unique<aws::ImdsClient>(
        s->config.imds.endpoint, *s->curl, *s->clock,
        ImdsOptionsFor(options, s->config.imds, where, s->deadline));
    s->imds_credentials = std::make_shared<aws::ImdsCredentialProvider>(*s->imds, *s->clock);
  } else if (where == Where::kInstance) {
    return Error(ErrorCode::kImdsUnavailable,
                 "instance metadata is disabled (" + s->config.imds.disabled_reason + ")");
  }
  s->credentials = aws::MakeDefaultCredentialChain(s->config, env, s->imds_credentials, *s->clock,
                                                   s->transport.get(), s->deadline);
  return s;
}

Status ConnectServices(const Options& options, Where where, bool consult_imds, Services& s) {
  InstanceFacts& f = s.facts;
  bool flags_suffice = !options.role.empty() && !options.instance_id.empty();
  if (s.imds && (where == Where::kInstance || (consult_imds && !flags_suffice))) {
    // Only what this run can use: the type for a key template naming it, the domain when
    // the S3 endpoint is derived rather than given.
    aws::ImdsClient::FactsWanted wanted;
    wanted.instance_type = expand::KeyTemplateUses(options.key_template, "instance_type");
    wanted.domain = s.config.s3_endpoint_url.empty();
    Result<InstanceFacts> got = s.imds->FetchInstanceFacts(wanted);
    if (got.ok()) {
      f = std::move(got).value();
      s.facts_from_imds = true;
      if (!f.role.empty()) s.imds_credentials->SetRole(f.role);
    } else if (where == Where::kInstance) {
      return std::move(got).error();
    } else {
      LogInfo("no instance metadata (" + got.error().ToString() + "); using flags and defaults");
    }
  }
  if (!options.role.empty()) f.role = options.role;
  if (!options.instance_id.empty()) f.instance_id = options.instance_id;
  if (options.launch_index >= 0) f.launch_index = options.launch_index;
  if (!s.config.region.empty()) f.region = s.config.region;
  if (f.instance_id.empty()) f.instance_id = "i-replay";
  if (f.domain.empty()) f.domain = aws::DomainForRegion(f.region);

  s3::S3ClientOptions s3o;
  s3o.endpoint_override = s.config.s3_endpoint_url;
  if (!f.region.empty()) s3o.default_region = f.region;
  s3o.domain = f.domain;
  s3o.domain_partition = f.partition.empty() ? aws::PartitionOfRegion(f.region) : f.partition;
  s3o.use_fips = s.config.use_fips_endpoint;
  s3o.use_dualstack = s.config.use_dualstack_endpoint;
  s.s3 = std::make_unique<s3::S3ClientImpl>(*s.transport, *s.credentials, *s.clock, s3o);
  s.fetcher = std::make_unique<fetch::RoutingFetcher>(*s.s3, *s.transport, *s.clock);
  return Ok();
}

Result<std::string> ReadUserData(const Options& options, Services& services) {
  if (!options.input.empty()) {
    Result<std::string> data =
        ReadFile(options.input, kMaxUserDataBytes, services.deadline, *services.clock);
    if (!data.ok()) {
      // ReadFile's message already names the file.
      return std::move(data).error().WithContext("reading user data");
    }
    return data;
  }
  if (!services.imds) {
    return Error(ErrorCode::kImdsUnavailable, "no user data: instance metadata is disabled");
  }
  Result<std::string> data = services.imds->GetUserData();
  if (!data.ok()) return std::move(data).error().WithContext("reading user data from IMDS");
  return data;
}

std::vector<std::string> ScriptEnvDefaults(const Options& options) {
  std::vector<std::string> env;
  if (!options.endpoint_url.empty()) env.push_back("AWS_ENDPOINT_URL_S3=" + options.endpoint_url);
  if (!options.region.empty()) env.push_back("AWS_REGION=" + options.region);
  return env;
}

}  // namespace s3us::cli

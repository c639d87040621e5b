// Services: the real objects a command works with, built once per run in dependency order
// (transport → IMDS → credentials → S3 client → fetcher) and torn down in reverse.
// This is the only place that constructs concrete classes; every layer below receives
// interfaces. Not thread-safe to build; the built objects are.
#ifndef S3US_CLI_SERVICES_H_
#define S3US_CLI_SERVICES_H_

#include <memory>
#include <string>
#include <vector>

#include "aws/aws_config.h"
#include "aws/credentials.h"
#include "aws/environment.h"
#include "aws/imds_client.h"
#include "aws/imds_credentials.h"
#include "cli/options.h"
#include "core/clock.h"
#include "core/instance.h"
#include "fetch/routing_fetcher.h"
#include "net/curl_transport.h"
#include "net/retry.h"
#include "s3/client_impl.h"

namespace s3us::cli {

// On an instance IMDS is required and may take a while to come up at boot; on a
// workstation it is consulted only if it answers quickly.
enum class Where { kInstance, kWorkstation };

struct Services {
  Clock* clock = &SystemClock::Get();
  Deadline deadline;
  aws::AwsConfig config;
  std::unique_ptr<net::CurlTransport> curl;
  std::unique_ptr<net::RetryingTransport> transport;
  std::unique_ptr<aws::ImdsClient> imds;  // null when IMDS is disabled
  std::shared_ptr<aws::ImdsCredentialProvider> imds_credentials;
  std::unique_ptr<aws::CredentialProvider> credentials;
  std::unique_ptr<s3::S3ClientImpl> s3;
  std::unique_ptr<fetch::RoutingFetcher> fetcher;
  InstanceFacts facts;
  bool facts_from_imds = false;

  ~Services();
};

// Builds everything up to the S3 client without touching the network. Errors are setup
// failures (exit 3): bad configuration, or IMDS disabled on an instance.
Result<std::unique_ptr<Services>> BuildServices(const Options& options, Where where);

// Fills the instance facts (flags first; IMDS when `consult_imds`, required on an
// instance) and creates the S3 client and the fetcher. Call once, before fetching.
Status ConnectServices(const Options& options, Where where, bool consult_imds, Services& s);

// User data from options.input ("-" stdin, a file) or, when empty, from IMDS.
Result<std::string> ReadUserData(const Options& options, Services& services);

// The S3 endpoint and region the command line set (--endpoint-url or -u, --region) as the
// variables `get` and the AWS CLI read ("AWS_ENDPOINT_URL_S3=…", "AWS_REGION=…"): a script we
// run that calls `get` reaches what we reached (run::ScriptEnvFacts::defaults).
std::vector<std::string> ScriptEnvDefaults(const Options& options);

}  // namespace s3us::cli

#endif  // S3US_CLI_SERVICES_H_

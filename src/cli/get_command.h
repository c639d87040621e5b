// `s3-user-script get URL...`: the instance-role downloader for the scripts we run.
// Same services (credentials, region, endpoint, retries, deadline) as `run`. Files are
// written atomically with their final mode from creation; on failure nothing is left at
// the destination and an existing file there is untouched.
#ifndef S3US_CLI_GET_COMMAND_H_
#define S3US_CLI_GET_COMMAND_H_

#include <string>

#include "cli/options.h"
#include "cli/services.h"

namespace s3us::cli {

// The file name `get -d DIR` (or no destination) gives an object: the last segment of
// the key (or URL path), sanitised; empty when there is none.
std::string DestinationName(const std::string& url);

// Prints one error line per failed URL; returns kExitOk, kExitFetch or kExitSetup.
int RunGet(const Options& options, Services& services);

}  // namespace s3us::cli

#endif  // S3US_CLI_GET_COMMAND_H_

// `s3-user-script status [--wait] [--long] [--json]`: the last run's report, or that a run
// is in progress (cli/run_lock.h), or that none ever ran. Exit codes: 0 the last run was ok
// (or one is in progress, as `cloud-init status`), 1 it failed or dropped an include, 3 none
// ran or the state cannot be read (one line naming the file and why). --wait blocks while a
// run is in progress and then answers for it; an interrupt ends the wait as it ends any
// command (128 + N, one line; with --json the error document).
#ifndef S3US_CLI_STATUS_COMMAND_H_
#define S3US_CLI_STATUS_COMMAND_H_

#include <nlohmann/json.hpp>
#include <string>

#include "cli/options.h"

namespace s3us::cli {

int RunStatus(const Options& options);

// --long: for each part in run order, its outcome and the facts behind it.
std::string RenderPartsLong(const nlohmann::json& report);

}  // namespace s3us::cli

#endif  // S3US_CLI_STATUS_COMMAND_H_

// The commands that turn user data into a plan and act on it: `plan` prints it, `resolve`
// prints it as one MIME document, `run` and `replay` dispatch it (a dry run prints it),
// and the predecessor's `-b BUCKET` form runs its one object. Each builds the plan the
// same way (services, user data, parse, expand, cloud-config checks), prints its errors
// through cli/exit_codes.h and returns the process exit code.
#ifndef S3US_CLI_PLAN_COMMANDS_H_
#define S3US_CLI_PLAN_COMMANDS_H_

#include "cli/options.h"

namespace s3us::cli {

// run, plan, replay and resolve.
int RunPlanLike(const Options& options);

// The predecessor's `-b BUCKET [-k TEMPLATE] [-u URL]`: exit status = the script's.
int RunLegacy(const Options& options);

}  // namespace s3us::cli

#endif  // S3US_CLI_PLAN_COMMANDS_H_

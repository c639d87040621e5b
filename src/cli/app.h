// App: runs one parsed command with real services and returns the process exit code.
// Here only the choice of command: each command's own file does its work, prints its
// errors through cli/exit_codes.h and takes its exit code from that one table.
#ifndef S3US_CLI_APP_H_
#define S3US_CLI_APP_H_

#include "cli/options.h"

namespace s3us::cli {

int RunApp(const Options& options);

}  // namespace s3us::cli

#endif  // S3US_CLI_APP_H_

// App: runs one parsed command with real services and returns the process exit code.
// The one place (with main.cc) that prints errors: one line per failure,
// "s3-user-script: error: <what>: <cause>", never a secret.
#ifndef S3US_CLI_APP_H_
#define S3US_CLI_APP_H_

#include <vector>

#include "cli/options.h"
#include "expand/expander.h"

namespace s3us::cli {

int RunApp(const Options& options);

// Exit code when expansion left no plan: kExitSetup when credentials are missing (as for
// `get`), kExitFetch for every other failure.
int ExitCodeForExpandFailures(const std::vector<expand::ExpandFailure>& failures);

}  // namespace s3us::cli

#endif  // S3US_CLI_APP_H_

// App: runs one parsed command with real services and returns the process exit code.
// Errors are printed through cli/exit_codes.h (one line per failure, never a secret) and
// exit codes come from its one table.
#ifndef S3US_CLI_APP_H_
#define S3US_CLI_APP_H_

#include <vector>

#include "cli/options.h"
#include "expand/expander.h"

namespace s3us::cli {

int RunApp(const Options& options);

// Exit code when expansion left no plan: the worst of ExitCodeFor over the failures
// (kExitSetup when credentials or instance metadata are missing, as for `get`), at least
// kExitFetch.
int ExitCodeForExpandFailures(const std::vector<expand::ExpandFailure>& failures);

}  // namespace s3us::cli

#endif  // S3US_CLI_APP_H_

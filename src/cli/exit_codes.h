// The CLI's one exit-code table and one error printer. Every command decides its exit code
// from an error's code here, and every error line a user sees is printed here:
// "s3-user-script: error: <what>: <cause>", one line, secrets redacted.
//
//   0 ok: every part ran (or the command did its job)
//   1 a part failed (or a run with --keep-going dropped something)
//   2 usage: bad command line or option value, before any request
//   3 setup: no user data, credentials, instance metadata, or a local path unusable
//   4 fetch or verification failed (or the user data is invalid) before anything ran
// 128+N interrupted by signal N (core/interrupt.h): 129 SIGHUP, 130 SIGINT, 131 SIGQUIT,
//       143 SIGTERM; what we started was stopped, the run (if one began) recorded
//       "interrupted"
#ifndef S3US_CLI_EXIT_CODES_H_
#define S3US_CLI_EXIT_CODES_H_

#include <string>
#include <string_view>

#include "core/error.h"

namespace s3us::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitSetup = 3;
inline constexpr int kExitFetch = 4;

// kExitSetup for what the machine lacks (credentials, IMDS, a usable local path), kExitUsage
// for a bad value given on the command line, kExitFetch for everything a fetch or a check
// of the content can fail on.
int ExitCodeFor(ErrorCode code);

// The worse of two exit codes (setup outranks fetch: without credentials nothing could be
// fetched at all, so that is the cause to report).
int WorseExit(int a, int b);

// "s3-user-script: error: <line>" with secrets redacted and control bytes escaped.
std::string ErrorLine(std::string_view line);

// Writes ErrorLine(line) and a newline to stderr; --json's stand-in document (cli/json_output.h)
// carries it too.
void PrintError(std::string_view line);

// Once interrupted, PrintError prints nothing: what fails then fails because of the
// interrupt, and InterruptedExit's line says so.

// Prints "interrupted by SIGTERM while <doing>" (once per process) and returns 128 + signal
// (InterruptExitCode, which the watcher's last resort exits with too).
int InterruptedExit(int signal, std::string_view doing);

// A run's verdict is on record (its report written): an interrupt after that point does not
// change the exit code, so that the exit code and `status` agree. Thread-safe.
void SettleVerdict();
bool VerdictSettled();

// PrintError(e.ToString()); returns kExitSetup: the machine lacks what the command needs.
int SetupFailure(const Error& e);

}  // namespace s3us::cli

#endif  // S3US_CLI_EXIT_CODES_H_

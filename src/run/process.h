// Runs one child process without a shell: fork/execve with no arguments, its own process
// group, stdin /dev/null, stdout and stderr through pipes that a pump copies both to the
// console and to a log file; what background jobs of the part still write after it ended
// goes on into the log file alone (run/drainer.h). Optional timeout: SIGTERM to the group,
// SIGKILL after a grace.
// An interrupt (core/interrupt.h) reaches the group too, SIGKILL after kInterruptGrace, and
// ExitInfo::interrupted names it; once interrupted, nothing more is started.
// Not responsible for what the environment holds (run/script_env.h) or what the exit
// status means (OutcomeFromExit in run/handler.h).
#ifndef S3US_RUN_PROCESS_H_
#define S3US_RUN_PROCESS_H_

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "run/handler.h"

namespace s3us::run {

// Receives a chunk of the child's output; stream is 1 (stdout) or 2 (stderr).
using ConsoleSink = std::function<void(int stream, std::string_view bytes)>;

struct ProcessSpec {
  std::string path;                            // executed directly (argv = {path})
  std::string cwd;                             // working directory of the child
  std::vector<std::string> env;                // complete environment, "NAME=value"
  std::chrono::milliseconds timeout{0};        // 0: no limit
  std::chrono::milliseconds kill_grace{5000};  // SIGTERM → SIGKILL after a timeout
  // After the child exits, how long to keep reading output that background children still
  // write to the inherited pipes before a drainer takes the pipes over and we return.
  std::chrono::milliseconds drain_grace{200};
  int log_fd = -1;  // output is appended here too (not closed)
  // Most bytes of output appended to log_fd (0: no limit); the rest is only counted
  // (ExitInfo::log_dropped), so that a part printing without end cannot fill the disk.
  uint64_t log_limit = 0;
  ConsoleSink console;  // nullptr: our own stdout (1) and stderr (2)
};

// Starts the child and waits for it (after an interrupt: starts nothing, and the ExitInfo
// says interrupted). Errors: kIo when pipes or fork fail. execve failures
// (missing interpreter, no #! line) come back as ExitInfo::exec_errno. Not thread-safe with
// respect to other code that waits for children of this process.
Result<ExitInfo> RunProcess(const ProcessSpec& spec);

}  // namespace s3us::run

#endif  // S3US_RUN_PROCESS_H_

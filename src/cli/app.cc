#include "cli/app.h"

#include <cstdlib>

#include "cli/exit_codes.h"
#include "cli/get_command.h"
#include "cli/json_output.h"
#include "cli/plan_commands.h"
#include "cli/result_output.h"
#include "cli/signing_command.h"
#include "cli/status_command.h"
#include "cli/validate_command.h"
#include "core/interrupt.h"
#include "core/log.h"

namespace s3us::cli {
namespace {

void ConfigureLogging(const Options& o) {
  if (o.quiet) {
    SetLogLevel(LogLevel::kError);
  } else if (o.verbosity >= 2) {
    SetLogLevel(LogLevel::kDebug);
  } else if (o.verbosity == 1) {
    SetLogLevel(LogLevel::kInfo);
  } else {
    SetLogLevel(LogLevel::kWarning);
  }
}

int RunCommand(const Options& options) {
  ConfigureLogging(options);
  // A part we run that calls `run` again would read the same user data from IMDS and run
  // itself forever. The dispatcher sets S3US_PART_INDEX for every part it starts.
  if (options.command == Command::kRun && options.input.empty() &&
      std::getenv("S3US_PART_INDEX") != nullptr) {
    PrintError("run: refusing to run this instance's user data from inside a part it is running");
    return kExitUsage;
  }
  switch (options.command) {
    case Command::kRun:
    case Command::kPlan:
    case Command::kReplay:
    case Command::kResolve:
      return RunPlanLike(options);
    case Command::kStatus:
      return RunStatus(options);
    case Command::kGet:
      return RunGet(options);
    case Command::kLegacy:
      return RunLegacy(options);
    case Command::kSign:
      return RunSign(options);
    case Command::kVerify:
      return RunVerify(options);
    case Command::kValidate:
      return RunValidate(options);
  }
  return kExitUsage;
}

}  // namespace

int RunApp(const Options& options) {
  int code = RunCommand(options);
  // Whatever the command was doing, an interrupt ends it with the signal's exit code; the
  // commands that know more said so already (InterruptedExit prints one line).
  if (int sig = InterruptSignal(); sig != 0 && !VerdictSettled()) {
    code = InterruptedExit(sig, "running `" + std::string(CommandName(options.command)) + "`");
  }
  // --json: one document on stdout whatever happened (the error lines, when the command
  // ended without its own).
  if (options.json) FinishJsonOutput(code, DocumentStateDir(options));
  return ResultExit(code);
}

}  // namespace s3us::cli

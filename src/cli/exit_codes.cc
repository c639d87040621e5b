#include "cli/exit_codes.h"

#include <atomic>
#include <cstdio>

#include "cli/json_output.h"
#include "core/interrupt.h"
#include "core/log.h"
#include "core/secret.h"
#include "core/strings.h"

namespace s3us::cli {

int ExitCodeFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNoCredentials:
    case ErrorCode::kImdsUnavailable:
    case ErrorCode::kIo:
    case ErrorCode::kUnsafePath:
      return kExitSetup;
    case ErrorCode::kHandlerFailed:
      return kExitFailed;
    default:
      return kExitFetch;
  }
}

int WorseExit(int a, int b) {
  auto rank = [](int code) {
    switch (code) {
      case kExitOk:
        return 0;
      case kExitFailed:
        return 1;
      case kExitFetch:
        return 2;
      case kExitSetup:
        return 3;
      default:
        return 4;  // usage, or a script's own status
    }
  };
  return rank(a) >= rank(b) ? a : b;
}

std::string ErrorLine(std::string_view line) {
  // Secrets out first, then control bytes escaped and the length bounded: one printable line.
  return Printable(RedactSecrets("s3-user-script: error: " + std::string(line)), kMaxLogMessage);
}

void PrintError(std::string_view line) {
  if (InterruptSignal() != 0) return;
  RecordErrorLine(line);
  std::fprintf(stderr, "%s\n", ErrorLine(line).c_str());
}

int InterruptedExit(int signal, std::string_view doing) {
  if (!ClaimInterruptLine()) {
    std::string line = "interrupted by " + SignalName(signal) + " while " + std::string(doing);
    RecordErrorLine(line);
    std::fprintf(stderr, "%s\n", ErrorLine(line).c_str());
  }
  return InterruptExitCode(signal);
}

namespace {
std::atomic<bool> verdict_settled{false};
}  // namespace

void SettleVerdict() { verdict_settled = true; }
bool VerdictSettled() { return verdict_settled; }

int SetupFailure(const Error& e) {
  PrintError(e.ToString());
  return kExitSetup;
}

}  // namespace s3us::cli

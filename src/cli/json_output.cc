#include "cli/json_output.h"

#include <mutex>

#include "cli/result_output.h"
#include "core/secret.h"
#include "run/report.h"
#include "run/run_state.h"

namespace s3us::cli {
namespace {

using nlohmann::json;

// What this process printed so far; a command runs once per process.
struct JsonOutputState {
  std::mutex mu;
  bool written = false;
  std::vector<std::string> error_lines;
};

JsonOutputState& State() {
  static JsonOutputState state;
  return state;
}

}  // namespace

void WriteJsonDocument(const json& document) {
  WriteResult(run::DumpJson(document));
  std::lock_guard<std::mutex> lock(State().mu);
  State().written = true;
}

void RecordErrorLine(std::string_view line) {
  std::lock_guard<std::mutex> lock(State().mu);
  State().error_lines.emplace_back(line);
}

std::vector<std::string> RecordedErrorLines() {
  std::lock_guard<std::mutex> lock(State().mu);
  return State().error_lines;
}

json StandInDocument(int exit_code, const std::string& state_dir,
                     const std::vector<std::string>& lines) {
  json j{{"format", 1},
         {"status", exit_code == kExitOk ? "not run" : "error"},
         {"state_dir", state_dir}};
  if (exit_code == kExitOk) return j;
  std::string error;
  for (const std::string& line : lines) error += (error.empty() ? "" : "\n") + line;
  if (error.empty()) error = "failed with exit code " + std::to_string(exit_code);
  j["error"] = RedactSecrets(std::move(error));
  return j;
}

std::string DocumentStateDir(const Options& o) {
  switch (o.command) {
    case Command::kRun:
    case Command::kStatus:
      return o.state_dir.empty() ? run::kDefaultStateDir : o.state_dir;
    case Command::kReplay:
      return o.state_dir;  // else a private temp directory, gone with a failure
    default:
      return "";
  }
}

void FinishJsonOutput(int exit_code, const std::string& state_dir) {
  std::vector<std::string> lines;
  {
    std::lock_guard<std::mutex> lock(State().mu);
    if (State().written) return;
    lines = State().error_lines;
  }
  WriteJsonDocument(StandInDocument(exit_code, state_dir, lines));
}

}  // namespace s3us::cli

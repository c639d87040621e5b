#include "cli/status_command.h"

#include <algorithm>
#include <vector>

#include "cli/json_output.h"
#include "cli/result_output.h"
#include "cli/run_lock.h"
#include "core/interrupt.h"
#include "core/secret.h"
#include "core/strings.h"
#include "run/report.h"
#include "run/run_state.h"

namespace s3us::cli {
namespace {

using nlohmann::json;

// A report field for --long: report.json holds what the user data and the network said
// (content types, filenames, URLs, messages), so control bytes are escaped as error lines
// are, and none can end a line or drive the terminal.
std::string Text(const json& j, const char* key) {
  const json& v = j.value(key, json());
  std::string text = v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump();
  return Printable(text, std::string::npos);
}

std::string PartLong(const json& p) {
  std::string out =
      "part " + Text(p, "index") + " (run " + Text(p, "run_order") + "): " + Text(p, "outcome");
  if (!Text(p, "message").empty()) out += ": " + Text(p, "message");
  out += "\n  " + Text(p, "content_type") + ", handler " + Text(p, "handler") + ", " +
         Text(p, "frequency") + ", " + Text(p, "size") + " bytes, sha256 " + Text(p, "sha256") +
         "\n";
  const json& source = p.value("source", json());
  if (source.is_object()) {
    out += "  from " + Text(source, "url") + " (verified by " + Text(source, "verified_by") + ")\n";
  }
  for (const json& step : p.value("origin", json::array())) {
    out += "  included by part " + Text(step, "part") + " line " + Text(step, "line") + "\n";
  }
  if (!Text(p, "started_at").empty()) {
    out += "  started " + Text(p, "started_at") + ", " + Text(p, "duration_ms") + " ms";
    if (!Text(p, "exit_status").empty()) out += ", exit status " + Text(p, "exit_status");
    if (!Text(p, "signal").empty()) out += ", signal " + Text(p, "signal");
    if (p.value("timed_out", false)) out += ", timed out";
    out += "\n";
  }
  for (const json& w : p.value("warnings", json::array())) {
    out += "  warning: " +
           Printable(w.is_string() ? w.get<std::string>() : w.dump(), std::string::npos) + "\n";
  }
  return out;
}

int PrintRunning(const Options& o, const std::string& dir, const json& holder) {
  if (o.json) {
    json j{{"format", 1}, {"status", "running"}, {"state_dir", dir}};
    if (holder.contains("pid")) j["pid"] = holder["pid"];
    if (holder.contains("started_at")) j["started_at"] = holder["started_at"];
    WriteJsonDocument(j);
  } else {
    WriteResult("running: pid " + Text(holder, "pid") + " since " + Text(holder, "started_at") +
                " in " + dir + " (status --wait waits for the end)\n");
  }
  return kExitOk;
}

}  // namespace

std::string RenderPartsLong(const json& report) {
  const json all = report.value("parts", json::array());
  std::vector<json> parts(all.begin(), all.end());
  std::stable_sort(parts.begin(), parts.end(), [](const json& a, const json& b) {
    return a.value("run_order", 0) < b.value("run_order", 0);
  });
  std::string out;
  for (const json& p : parts) out += PartLong(p);
  return out;
}

int RunStatus(const Options& o) {
  std::string dir = o.state_dir.empty() ? run::kDefaultStateDir : o.state_dir;
  std::optional<json> holder = RunInProgress(dir, o.wait);
  if (int sig = InterruptSignal(); sig != 0) {
    return InterruptedExit(sig, "waiting for the run in " + dir + " to end");
  }
  if (holder) return PrintRunning(o, dir, *holder);
  Result<json> loaded = run::LoadLastReport(dir);
  int code = run::StatusExitCode(loaded);
  if (loaded.ok()) {
    if (o.json) {
      WriteJsonDocument(*loaded);
    } else {
      WriteResult(run::RenderReport(*loaded) +
                  (o.long_format ? RedactSecrets(RenderPartsLong(*loaded)) : std::string()));
    }
    return code;
  }
  bool never_ran = loaded.error().code() == ErrorCode::kNotFound;
  if (!o.json) {
    PrintError(loaded.error().ToString());
    return code;
  }
  // As `cloud-init status --format json`: always one document, also before any run.
  json j{{"format", 1}, {"status", never_ran ? "not run" : "error"}, {"state_dir", dir}};
  if (!never_ran) {
    PrintError(loaded.error().ToString());
    j["error"] = RedactSecrets(loaded.error().ToString());
  }
  WriteJsonDocument(j);
  return code;
}

}  // namespace s3us::cli

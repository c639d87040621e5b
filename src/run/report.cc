#include "run/report.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "core/files.h"
#include "core/log.h"
#include "core/strings.h"
#include "run/run_state.h"

namespace s3us::run {
namespace {

using nlohmann::json;

json SourceToJson(const std::optional<userdata::Source>& source) {
  if (!source.has_value()) return nullptr;
  return json{{"url", source->url},
              {"bucket", source->bucket},
              {"key", source->key},
              {"version_id", source->version_id},
              {"region", source->region},
              {"etag", source->etag},
              {"sha256", source->sha256},
              {"size", source->size},
              {"verified_by", source->verified_by}};
}

json OriginToJson(const std::vector<userdata::IncludeStep>& chain) {
  json out = json::array();
  for (const auto& step : chain) {
    out.push_back({{"part", step.part_index}, {"line", step.line}, {"url", step.url}});
  }
  return out;
}

json PartToJson(const PartRecord& r) {
  json j{{"index", r.index},
         {"run_order", r.run_order},
         {"content_type", r.content_type},
         {"filename", r.filename},
         {"handler", r.handler},
         {"frequency", r.frequency},
         {"size", r.size},
         {"sha256", r.sha256},
         {"source", SourceToJson(r.source)},
         {"origin", OriginToJson(r.chain)},
         {"description", r.description},
         {"outcome", std::string(OutcomeName(r.outcome.kind))},
         {"exit_status", nullptr},
         {"signal", nullptr},
         {"timed_out", r.outcome.timed_out},
         {"started_at", nullptr},
         {"duration_ms", r.duration_ms},
         {"message", r.outcome.message},
         {"warnings", r.outcome.warnings}};
  if (r.outcome.exit_status.has_value()) j["exit_status"] = *r.outcome.exit_status;
  if (r.outcome.signal.has_value()) j["signal"] = *r.outcome.signal;
  if (r.started_at.has_value()) j["started_at"] = FormatRfc3339(*r.started_at);
  return j;
}

// Printable (control bytes and direction controls escaped), single-line, at most `width`
// bytes, cut between characters.
std::string Cell(const std::string& s, size_t width) {
  std::string out = Printable(s, std::string::npos);
  if (out.size() <= width) return out;
  return Printable(s, width - 3);
}

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A report field shown on a line of its own: control bytes escaped, as in error lines (a
// report edited to hold ESC or CR must not drive the terminal).
std::string Shown(const json& j, const char* key) { return Printable(Str(j, key), kMaxLogMessage); }

// The fields `status` reads, with the types the writer gives them (strings, integers, or
// null where it writes null): a report damaged or edited into another shape is not a report,
// exit 3, rather than half rendered or an exception.
std::optional<std::string> ShapeProblem(const json& r) {
  auto typed = [](const json& j, const char* key, bool (json::*is)() const) {
    auto it = j.find(key);
    return it == j.end() || it->is_null() || ((*it).*is)();
  };
  if (!r.value("status", json()).is_string()) return "its status is not a string";
  for (const char* key : {"started_at", "instance_id", "log_path", "error", "interrupted_by"}) {
    if (!typed(r, key, &json::is_string)) return std::string(key) + " is not a string";
  }
  const json& totals = r.value("totals", json::object());
  if (!totals.is_object()) return "its totals are not an object";
  for (const auto& [name, n] : totals.items()) {
    if (!n.is_number_unsigned()) return "its total " + name + " is not a count";
  }
  const json& omitted = r.value("omitted", json::array());
  if (!omitted.is_array() ||
      !std::all_of(omitted.begin(), omitted.end(), [](const json& o) { return o.is_string(); })) {
    return "its omitted includes are not a list of strings";
  }
  for (const json& p : r["parts"]) {
    if (!p.is_object() || !p.value("index", json()).is_number_integer()) {
      return "a part has no index";
    }
    for (const char* key : {"run_order", "size", "exit_status", "signal", "duration_ms"}) {
      if (!typed(p, key, &json::is_number_integer))
        return std::string("a part's ") + key + " is not a number";
    }
    for (const char* key : {"outcome", "handler", "content_type", "filename", "message",
                            "frequency", "sha256", "started_at", "description"}) {
      if (!typed(p, key, &json::is_string))
        return std::string("a part's ") + key + " is not a string";
    }
    if (!typed(p, "timed_out", &json::is_boolean)) return "a part's timed_out is not a boolean";
    if (!typed(p, "source", &json::is_object)) return "a part's source is not an object";
    for (const char* key : {"origin", "warnings"}) {
      if (!typed(p, key, &json::is_array)) return std::string("a part's ") + key + " is not a list";
    }
  }
  return std::nullopt;
}

// report.json parsed, or why it is no JSON: where it stops being JSON, or that it ends early
// (a report is written atomically, so a short one was damaged after we wrote it).
Result<json> ParseReport(const std::string& path, const std::string& text) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    if (e.byte > text.size()) {
      return Error(ErrorCode::kInvalidInput,
                   path + " is truncated (" + std::to_string(text.size()) + " bytes)");
    }
    return Error(ErrorCode::kInvalidInput,
                 path + " is not valid JSON at byte " + std::to_string(e.byte));
  }
}

}  // namespace

// RenderReport without the guard against malformed reports.
std::string RenderReportOrThrow(const json& report);

int Report::Count(OutcomeKind kind) const {
  return static_cast<int>(std::count_if(
      parts.begin(), parts.end(), [kind](const PartRecord& r) { return r.outcome.kind == kind; }));
}

std::vector<std::string> Report::FailureLines() const {
  std::vector<const PartRecord*> failed;
  for (const PartRecord& r : parts) {
    if (r.outcome.kind == OutcomeKind::kFailed) failed.push_back(&r);
  }
  std::sort(failed.begin(), failed.end(),
            [](const PartRecord* a, const PartRecord* b) { return a->run_order < b->run_order; });
  std::vector<std::string> lines;
  for (const PartRecord* r : failed) lines.push_back(r->description + ": " + r->outcome.message);
  return lines;
}

std::string FormatRfc3339(Clock::WallTime time) {
  UtcFields u = ToUtc(time);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", u.year, u.month, u.day,
                u.hour, u.minute, u.second, u.millis);
  return buf;
}

std::string FormatStamp(Clock::WallTime time) { return FormatCompactUtc(time); }

std::string DumpJson(const json& j) {
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

json ReportToJson(const Report& report) {
  json parts = json::array();
  for (const PartRecord& r : report.parts) parts.push_back(PartToJson(r));
  json j{{"format", 1},
         {"tool_version", S3US_VERSION},
         {"status", report.status},
         {"dry_run", report.dry_run},
         {"keep_going", report.keep_going},
         {"force", report.force},
         {"omitted", report.omitted},
         {"interrupted_by",
          report.interrupted_by.empty() ? json(nullptr) : json(report.interrupted_by)},
         {"interrupted_part",
          report.interrupted_part > 0 ? json(report.interrupted_part) : json(nullptr)},
         {"instance_id", report.instance_id},
         {"region", report.region},
         {"boot_id", report.boot_id},
         {"state_dir", report.state_dir},
         {"log_path", report.log_path},
         {"started_at", FormatRfc3339(report.started_at)},
         {"finished_at", FormatRfc3339(report.finished_at)},
         {"totals",
          {{"parts", report.parts.size()},
           {"ok", report.Count(OutcomeKind::kOk)},
           {"failed", report.Count(OutcomeKind::kFailed)},
           {"skipped", report.Count(OutcomeKind::kSkipped)},
           {"not_run", report.Count(OutcomeKind::kNotRun)},
           {"already_ran", report.Count(OutcomeKind::kAlreadyRan)},
           {"dry_run", report.Count(OutcomeKind::kDryRun)}}},
         {"parts", parts}};
  if (!report.error.empty()) j["error"] = report.error;
  return j;
}

Result<json> LoadLastReport(const std::string& state_dir, const std::string& instance_id) {
  Result<StateLayout> layout = LayoutFor(state_dir, instance_id);
  if (!layout.ok()) return std::move(layout.error());
  std::string path = instance_id.empty() ? layout->last_report : layout->instance_report;
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Error(ErrorCode::kNotFound, "no run recorded in " + state_dir);
    return Error(ErrorCode::kIo, "cannot read " + path + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) return Error(ErrorCode::kUnsafePath, path + " is not a regular file");
  Result<std::string> text = ReadFile(path, 64 << 20);
  if (!text.ok()) return std::move(text.error());
  Result<json> report = ParseReport(path, *text);
  if (!report.ok()) return report;
  if (!report->is_object() || !report->contains("parts") || !(*report)["parts"].is_array()) {
    return Error(ErrorCode::kInvalidInput, path + " is not a report");
  }
  if (std::optional<std::string> problem = ShapeProblem(*report)) {
    return Error(ErrorCode::kInvalidInput, path + " is not a report: " + *problem);
  }
  if ((*report)["status"] == kRunningStatus) {
    (*report)["status"] = "failed";
    (*report)["error"] =
        "the run did not finish: it was killed or crashed, or its report could not be written "
        "(its log holds what its parts did; the outcomes below are from before they ran)";
  }
  return report;
}

std::string RenderReport(const json& report) {
  try {
    return RenderReportOrThrow(report);
  } catch (const json::exception&) {
    return "last run: the report is malformed\n";
  }
}

std::string RenderReportOrThrow(const json& report) {
  const json& totals = report.value("totals", json::object());
  std::string out = "last run: " + Shown(report, "status") + " at " + Shown(report, "started_at") +
                    " on instance " + Shown(report, "instance_id") + ": " +
                    std::to_string(totals.value("parts", 0)) +
                    (totals.value("parts", 0) == 1 ? " part, " : " parts, ") +
                    std::to_string(totals.value("ok", 0)) + " ok, " +
                    std::to_string(totals.value("failed", 0)) + " failed, " +
                    std::to_string(totals.value("skipped", 0)) + " skipped, " +
                    std::to_string(totals.value("not_run", 0)) + " not run, " +
                    std::to_string(totals.value("already_ran", 0)) + " already ran\n";
  if (!Str(report, "log_path").empty()) out += "log: " + Shown(report, "log_path") + "\n";
  if (!Str(report, "interrupted_by").empty()) {
    out += "interrupted by " + Shown(report, "interrupted_by") +
           ": the next run runs again every part that did not succeed\n";
  }
  // A run that ended before its first part: what it printed, one line each.
  const std::string error = Str(report, "error");
  for (std::string_view line : Split(error, '\n')) {
    if (!line.empty()) out += "error: " + Printable(line, kMaxLogMessage) + "\n";
  }
  for (const json& omitted : report.value("omitted", json::array())) {
    if (omitted.is_string()) {
      out += "dropped include: " + Printable(omitted.get<std::string>(), kMaxLogMessage) + "\n";
    }
  }
  const json all = report.value("parts", json::array());
  if (all.empty()) return out;  // no table without a row (a run that ended before its parts)
  std::vector<json> parts(all.begin(), all.end());
  std::stable_sort(parts.begin(), parts.end(), [](const json& a, const json& b) {
    return a.value("run_order", 0) < b.value("run_order", 0);
  });
  char line[512];
  std::snprintf(line, sizeof line, "%5s %5s  %-11s  %-12s  %-26s  %-24s  %s\n", "order", "part",
                "outcome", "handler", "type", "filename", "message");
  out += line;
  for (const json& p : parts) {
    std::snprintf(line, sizeof line, "%5d %5d  %-11s  %-12s  %-26s  %-24s  %s\n",
                  p.value("run_order", 0), p.value("index", 0), Cell(Str(p, "outcome"), 11).c_str(),
                  Cell(Str(p, "handler"), 12).c_str(), Cell(Str(p, "content_type"), 26).c_str(),
                  Cell(Str(p, "filename"), 24).c_str(), Cell(Str(p, "message"), 200).c_str());
    out += line;
  }
  return out;
}

int StatusExitCode(const Result<json>& loaded) {
  if (!loaded.ok()) {
    return loaded.error().code() == ErrorCode::kNotFound ? kStatusNeverRan : kStatusUnreadable;
  }
  const json& status = loaded->value("status", json());
  return status.is_string() && status.get<std::string>() == "ok" ? kStatusOk : kStatusFailed;
}

}  // namespace s3us::run

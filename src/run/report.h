// Report: one record per part of a run (what ran, how it ended, where it came from), its
// JSON form (report.json) and the `status` view of the last one. Not responsible for
// running anything or for where report.json lives (run/run_state.h).
//
// report.json (0600), field names stable:
//   {format: 1, tool_version, status: "ok"|"failed"|"interrupted"|"dry-run"|"running", dry_run,
//    keep_going, force, interrupted_by: "SIGTERM"... | null, interrupted_part: int | null,
//    omitted: [str] (includes dropped with --keep-going; any of them makes status "failed"),
//    instance_id, region, boot_id, state_dir, log_path, started_at, finished_at (RFC 3339),
//    totals: {parts, ok, failed, skipped, not_run, already_ran, dry_run},
//    parts: [{index, run_order, content_type, filename, handler, frequency, size, sha256,
//             source: {url, bucket, key, version_id, region, etag, sha256, size,
//                      verified_by} | null,
//             origin: [{part, line, url}], description,
//             outcome: "ok"|"failed"|"skipped"|"not-run"|"already-ran"|"dry-run",
//             exit_status: int|null, signal: int|null, timed_out, started_at: str|null,
//             duration_ms, message, warnings: [str]}]},   (parts in Plan order)
//    error: str   (only in the report of a run that ended before its first part: its
//                  error lines as printed, secrets redacted, control bytes escaped)}
// "running" is written before the first part runs and replaced at the end: found with no
// run holding the lock, the run ended without its report (killed, crashed, disk full), and
// LoadLastReport makes it "failed" with an `error` saying so.
//
// `status` exit codes: 0 the last run succeeded; 1 it failed; 3 nothing ever ran (no
// report.json), or the state cannot be read (report.json unreadable or damaged: we write
// it atomically, so a damaged one is no run's verdict).
#ifndef S3US_RUN_REPORT_H_
#define S3US_RUN_REPORT_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "run/handler.h"
#include "userdata/part.h"

namespace s3us::run {

inline constexpr const char* kRunningStatus = "running";

struct PartRecord {
  int index = 0;      // 1-based position in the Plan
  int run_order = 0;  // 1-based position in which it was (or would be) dispatched
  std::string content_type;
  std::string filename;
  std::string handler;    // handler name; "" when none took it
  std::string frequency;  // FrequencyName
  uint64_t size = 0;
  std::string sha256;  // of the payload
  std::optional<userdata::Source> source;
  std::vector<userdata::IncludeStep> chain;
  std::string description;  // DescribePart
  Outcome outcome;
  std::optional<Clock::WallTime> started_at;  // unset for parts not dispatched
  int64_t duration_ms = 0;
};

struct Report {
  std::string status;  // "ok", "failed", "interrupted", "dry-run"
  bool dry_run = false;
  bool keep_going = false;
  bool force = false;
  std::string instance_id;
  std::string region;
  std::string boot_id;
  std::string state_dir;
  std::string log_path;  // empty in dry runs
  Clock::WallTime started_at{};
  Clock::WallTime finished_at{};
  std::vector<PartRecord> parts;  // Plan order
  // Includes the Plan dropped (keep_going): the run is incomplete, hence failed.
  std::vector<std::string> omitted;
  std::string interrupted_by;  // "SIGTERM" when an interrupt stopped the run; else empty
  int interrupted_part = 0;    // the part it ended (1-based Plan index); 0 between parts
  // The run ended before its first part (planning failed): the lines it printed. Else empty.
  std::string error;
  // Not in report.json: why this report, of parts that ran, could not be written there (a
  // full disk). The "running" record written before the parts stays, and `status` says the
  // run did not finish.
  std::optional<Error> not_recorded;

  int Count(OutcomeKind kind) const;
  bool failed() const {
    return Count(OutcomeKind::kFailed) > 0 || !omitted.empty() || !interrupted_by.empty() ||
           !error.empty();
  }
  // "part 3 of 7 (text/x-shellscript from s3://b/k, line 2 of part 1): exited with status 2",
  // one per failed part, in run order: what the CLI prints as errors.
  std::vector<std::string> FailureLines() const;
};

// 2015-08-30T12:16:00.123Z
std::string FormatRfc3339(Clock::WallTime time);
// 20150830T121600Z (file names)
std::string FormatStamp(Clock::WallTime time);

nlohmann::json ReportToJson(const Report& report);

// Serialises report and plan JSON (indented, trailing newline). Filenames and messages come
// from user data and may not be UTF-8: invalid bytes become U+FFFD instead of throwing.
std::string DumpJson(const nlohmann::json& j);

inline constexpr int kStatusOk = 0;
inline constexpr int kStatusFailed = 1;
inline constexpr int kStatusNeverRan = 3;
inline constexpr int kStatusUnreadable = 3;  // a setup failure, as exit 3 elsewhere

// The last report under `state_dir` (of `instance_id` if given, else of any instance).
// kNotFound when nothing ever ran; kIo (with the cause) when it cannot be read;
// kInvalidInput when report.json is truncated, not JSON (the byte where it stops being
// JSON) or not a report; kUnsafePath when it is a symlink. Each message names the file.
Result<nlohmann::json> LoadLastReport(const std::string& state_dir,
                                      const std::string& instance_id = "");
// Lines for people: a summary line, the log path, then one line per part in run order.
std::string RenderReport(const nlohmann::json& report);
// kStatusOk / kStatusFailed / kStatusNeverRan / kStatusUnreadable for what LoadLastReport
// returned.
int StatusExitCode(const Result<nlohmann::json>& loaded);

}  // namespace s3us::run

#endif  // S3US_RUN_REPORT_H_

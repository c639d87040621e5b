// Run state: what a run keeps on disk between runs, under a state directory (default
// /var/lib/s3-user-script; replay passes its own). Every directory is private (0700, made
// with MakePrivateDir, never reached through a symlink); every file is 0600 or, for
// scripts, 0700, created O_EXCL|O_NOFOLLOW. Not responsible for what a report holds
// (run/report.h) or for running anything.
//
//   <state>/instances/<instance-id>/scripts/        scripts of the current run (NNN-name)
//   <state>/instances/<instance-id>/boothooks/      boothooks of the current run
//   <state>/instances/<instance-id>/logs/run-<UTC timestamp>.log   output of every part
//   <state>/instances/<instance-id>/markers/per-instance/<key>     done once on this instance
//   <state>/instances/<instance-id>/markers/per-boot/<key>         done this boot (boot id inside)
//   <state>/instances/<instance-id>/report.json     last report for this instance
//   <state>/once/<key>                              done once per state directory
//   <state>/report.json                             last report of any instance (`status`)
//   <state>/work-<10 of [a-z0-9]>/                  a run's fetched bodies while it plans
//
// Marker key: the part's place in the plan, its filename and the SHA-256 of its payload
// (MarkerKey). A changed script (same name, new bytes) is a new part and runs again; the
// same bytes under another name or at another place also run, as cloud-init runs every
// part of the user data at its position. A marker
// is written only after the part succeeded, so a failed or not-run part is tried again.
// (cloud-init marks a module as done before it runs; we do not, because with stop-at-first-
// failure that would let later parts run on the next boot without the one that failed.)
// Markers only ever match parts of earlier runs: within one run every part runs at its
// position, the same script included twice included.
// Every directory, and every one above the state directory up to /, must be safe from
// other local users as MakePrivateDir requires (core/private_paths.h): a state directory one of
// them could write to is refused, never chmod'ed and trusted.
// Errors: kUnsafePath (symlink, foreign owner, writable by others), kInvalidInput (unsafe
// instance id), kIo.
#ifndef S3US_RUN_RUN_STATE_H_
#define S3US_RUN_RUN_STATE_H_

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"
#include "run/handler.h"
#include "userdata/part.h"

namespace s3us::run {

inline constexpr const char* kDefaultStateDir = "/var/lib/s3-user-script";
inline constexpr const char* kBootIdPath = "/proc/sys/kernel/random/boot_id";
// Directory name used when the instance id is unknown (replay without one).
inline constexpr const char* kNoInstanceId = "no-instance-id";
// Run logs kept per instance (logs/run-*.log); older ones are removed as a run starts.
inline constexpr size_t kKeptRunLogs = 20;
// A run's work directory in the state directory: <prefix><random>, removed when it plans.
inline constexpr const char* kWorkDirPrefix = "work-";

struct StateLayout {
  std::string state_dir;
  std::string instance_dir;
  std::string scripts_dir;
  std::string boothooks_dir;
  std::string logs_dir;
  std::string per_instance_dir;
  std::string per_boot_dir;
  std::string once_dir;
  std::string instance_report;
  std::string last_report;
};

// Paths only; checks the instance id (kInvalidInput unless [A-Za-z0-9._-]{1,128}, not "."/"..").
Result<StateLayout> LayoutFor(const std::string& state_dir, const std::string& instance_id);

// "<SafeFileName(filename)>-<first 32 hex of SHA-256(index + '\n' + filename + '\n' +
// hex SHA-256(payload))>".
std::string MarkerKey(const userdata::Part& part);

// Removes the work directories that runs killed before their end left in the state
// directory (named as MakePrivateTempDir names them, mode 0700, ours; any other name untouched),
// with the files directly in them: nothing followed, one still holding a directory kept.
// REQUIRES: the caller holds the run lock, so no run is using one of them.
void RemoveStaleWorkDirs(const std::string& state_dir);

// Reads and trims the kernel's boot id. kNotFound/kIo when unreadable.
Result<std::string> ReadBootId(const std::string& path = kBootIdPath);

class RunState {
 public:
  // Creates the layout's directories and removes files left in scripts/ and boothooks/ by
  // an earlier run.
  static Result<RunState> Open(const std::string& state_dir, const std::string& instance_id,
                               std::string boot_id);
  // For dry runs: creates and changes nothing; markers are read where they exist.
  static Result<RunState> Inspect(const std::string& state_dir, const std::string& instance_id,
                                  std::string boot_id);

  const StateLayout& layout() const { return layout_; }
  const std::string& boot_id() const { return boot_id_; }

  // Whether a part with this key already ran at this frequency (never for kAlways). Only
  // a regular file of ours that neither group nor others may write is a marker: one
  // another user could have planted is none, so the part runs (and MarkRan replaces it).
  bool HasRun(Frequency frequency, const std::string& key) const;
  // Records a successful run; `record` (a JSON object; "boot_id" is added) is the marker's
  // content. No-op for kAlways.
  Status MarkRan(Frequency frequency, const std::string& key, nlohmann::json record);

  // Creates logs/run-<stamp>.log (0600, O_EXCL; "-2", "-3"... when taken) and returns its
  // descriptor (O_APPEND|O_CLOEXEC, owned by the caller); `path` receives the name. The
  // older logs beyond the newest kKeptRunLogs (this one included) are removed first.
  Result<int> CreateLogFile(const std::string& stamp, std::string* path);
  // Writes report.json for the instance and for the state directory (atomic, 0600).
  Status WriteReport(const std::string& json_text);

 private:
  std::string MarkerPath(Frequency frequency, const std::string& key) const;

  StateLayout layout_;
  std::string boot_id_;
};

}  // namespace s3us::run

#endif  // S3US_RUN_RUN_STATE_H_

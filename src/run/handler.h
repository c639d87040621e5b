// Handler: the seam between the dispatcher and the code that acts on one content type.
// A Handler takes the parts of the types it lists and turns each into an Outcome (ran,
// wrote, skipped, would do in a dry run). It is not responsible for ordering, frequency
// markers, failure policy or the report: the Dispatcher (run/dispatcher.h) owns those. It
// never sees the network: everything it gets is already in the Part.
// The Registry maps content types to handlers; handlers/builtin.h fills it from one list.
//
// Contract of Handler::Handle(part, ctx):
//  - success: an Outcome. A part that ran and failed (non-zero exit, signal, timeout,
//    cannot execute) is a *successful* call returning kind kFailed with a message such as
//    "exited with status 2"; the dispatcher applies the failure policy.
//  - error: Result error only when the handler could not do its own job safely — kUnsafePath
//    (a symlink where a private file or directory was expected), kIo (cannot write). The
//    dispatcher records the part as failed with the error text.
//  - ctx.dry_run: nothing is executed or written; the Outcome has kind kDryRun and a message
//    saying what would happen ("would write 120 bytes to /x/y.cfg").
//  - ownership: the handler owns nothing in ctx; pointers in ctx outlive the call.
//  - thread-safety: handlers are called from one thread, one part at a time, between one
//    Begin() and one End() per run.
//
// Environment every executed part (script, executable, boothook) sees: the dispatcher's
// own environment plus, overriding any inherited value,
//   INSTANCE_ID        instance id (as cloud-init sets it for boothooks)
//   S3US_INSTANCE_ID   instance id
//   S3US_REGION        region
//   S3US_PART_INDEX    1-based index of the part in the Plan
//   S3US_PART_COUNT    number of parts in the Plan
//   S3US_PART_SOURCE   URL the part was fetched from (unset for parts in the user data)
//   S3US_STATE_DIR     the state directory of this run
//   S3_USER_SCRIPT     absolute path of the s3-user-script binary (unset if unknown); its
//                      directory is put first on PATH so scripts can call `s3-user-script get`
// The process has no arguments, stdin /dev/null, cwd = the directory it was written to, its
// own process group; stdout/stderr go to the console and to the run's log file.
#ifndef S3US_RUN_HANDLER_H_
#define S3US_RUN_HANDLER_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/instance.h"
#include "userdata/part.h"

namespace s3us::run {

// How often a part may run (cloud-init's PER_ALWAYS / per-boot / PER_INSTANCE / PER_ONCE).
enum class Frequency {
  kAlways,       // every run (cloud-config passthrough, skipped parts)
  kPerBoot,      // once per boot id (boothooks, text/x-shellscript-per-boot)
  kPerInstance,  // once per instance id (scripts and executables by default)
  kPerOnce,      // once per state directory, whatever the instance (…-per-once)
};
// "always", "per-boot", "per-instance", "per-once".
std::string_view FrequencyName(Frequency frequency);

// Boothooks run before every other part; everything else runs in Plan order.
enum class Phase { kBoothook, kNormal };

enum class OutcomeKind { kOk, kFailed, kSkipped, kNotRun, kAlreadyRan, kDryRun };
// Report names: "ok", "failed", "skipped", "not-run", "already-ran", "dry-run".
std::string_view OutcomeName(OutcomeKind kind);

struct Outcome {
  OutcomeKind kind = OutcomeKind::kOk;
  std::optional<int> exit_status;  // set when a process exited normally
  std::optional<int> signal;       // set when a process died of a signal
  bool timed_out = false;
  // One lower-case clause: "exited with status 2", "killed by signal 9", "timed out after
  // 1 s", "wrote 42 bytes to /etc/cloud/cloud.cfg.d/90-s3-user-script-002.cfg".
  std::string message;
  // Extra warning lines (without the part description); the dispatcher logs and records them.
  std::vector<std::string> warnings;
};

// How a finished child process ended (run/process.h fills it).
struct ExitInfo {
  bool exited = false;  // normal exit; `status` is valid
  int status = 0;
  int signal = 0;          // non-zero when killed by a signal
  bool timed_out = false;  // we killed it after the timeout
  int interrupted = 0;     // the signal that interrupted us while it ran (core/interrupt.h)
  int exec_errno = 0;      // non-zero when execve failed (nothing ran)
  std::chrono::milliseconds timeout{0};
  uint64_t log_limit = 0;    // bytes of output the log took at most (0: no limit)
  uint64_t log_dropped = 0;  // bytes of output past log_limit, shown but not logged
  int log_errno = 0;         // a write to the log failed (full disk): it ends there
  // Background jobs still held the output when the part ended: a drainer appends what they
  // write to the log (run/drainer.h).
  bool output_handed_off = false;
};

// "exited with status 0" is kOk; everything else kFailed with the documented message. Output
// the log did not take is a warning. An exec refused names `path`; when it was refused for
// permission (a noexec mount), `noexec_advice` says how to put the file elsewhere.
Outcome OutcomeFromExit(const ExitInfo& info, std::string_view path = {},
                        std::string_view noexec_advice = {});

// Runs a file a handler has written, with the environment documented above. Implemented by
// the dispatcher (run/executor.h); absent (nullptr) in dry runs.
class Executor {
 public:
  virtual ~Executor() = default;
  // `path` must be an executable regular file in a private directory. Errors: kIo when no
  // process could be started (pipe, fork); an exec failure is reported in ExitInfo.
  virtual Result<ExitInfo> Execute(const std::string& path, const userdata::Part& part) = 0;
};

// Where this run puts things. Directories exist (private, 0700) unless dry_run.
struct RunPaths {
  std::string state_dir;         // default /var/lib/s3-user-script
  std::string instance_dir;      // <state>/instances/<instance-id>
  std::string scripts_dir;       // <instance>/scripts: scripts and executables
  std::string boothooks_dir;     // <instance>/boothooks
  std::string log_path;          // <instance>/logs/run-<timestamp>.log (0600)
  std::string cloud_config_dir;  // default /etc/cloud/cloud.cfg.d (not created private)
};

struct HandlerContext {
  const InstanceFacts* instance = nullptr;
  RunPaths paths;
  bool dry_run = false;
  int part_count = 0;            // number of parts in the Plan (for zero-padding)
  bool takes_parts = false;      // for Begin: the Plan holds a part the registry gives this handler
  Executor* executor = nullptr;  // nullptr in dry runs
  std::string noexec_advice;     // DispatchOptions::noexec_advice
};

class Handler {
 public:
  virtual ~Handler() = default;
  // Short stable name for reports and the plan view: "shell-script", "cloud-config".
  virtual std::string_view name() const = 0;
  // Lower-case content types this handler takes.
  virtual std::vector<std::string> content_types() const = 0;
  virtual Phase phase() const { return Phase::kNormal; }
  // True when Handle runs the part as a program (a script, an executable, a boothook):
  // what the predecessor's -b mode must find in its object.
  virtual bool runs_program() const { return false; }
  virtual Frequency FrequencyFor(const userdata::Part& part) const = 0;

  // Called once per run before the first part (also in dry runs).
  virtual Status Begin(HandlerContext& ctx) {
    (void)ctx;
    return Ok();
  }
  virtual Result<Outcome> Handle(const userdata::Part& part, HandlerContext& ctx) = 0;
  // Called once per run after the last part; `completed` is false when the run stopped at
  // a failure (parts were left not run).
  virtual Status End(HandlerContext& ctx, bool completed) {
    (void)ctx;
    (void)completed;
    return Ok();
  }
};

// Content type → handler. Not thread-safe while being filled; read-only afterwards.
class Registry {
 public:
  // kInternal if one of the handler's types is already taken (a bug in the builtin list).
  Status Add(std::unique_ptr<Handler> handler);
  // The handler for every type no other handler takes.
  void SetFallback(std::unique_ptr<Handler> handler);
  // The handler for `content_type` (compared lower-case), else the fallback, else nullptr.
  Handler* Find(std::string_view content_type) const;
  // Every handler once (the fallback last), for Begin/End.
  std::vector<Handler*> All() const;

 private:
  std::vector<std::unique_ptr<Handler>> handlers_;
  std::unique_ptr<Handler> fallback_;
};

}  // namespace s3us::run

#endif  // S3US_RUN_HANDLER_H_

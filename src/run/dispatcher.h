// Dispatcher: runs every part of a Plan through its handler, in order, once. Boothooks go
// first (in Plan order), then every other part strictly in Plan order. Owns the frequency
// markers (run/run_state.h), the failure policy, dry runs, the run's log file and the
// Report. Not responsible for fetching (a Plan is complete by construction) or for what a
// content type means (handlers/).
//
// Failure policy: by default the run stops at the first failed part and every later part
// is reported "not-run"; keep_going runs the rest. An interrupt (core/interrupt.h) stops
// the run whatever keep_going says: the running part ends "failed" ("interrupted by
// SIGTERM"), the rest "not-run", the report's status is "interrupted"; only parts that
// succeeded are marked, so the next run runs the others again. A dry run executes and writes
// nothing (no state directory, log or report either) and every outcome says what would happen.
// Messages: each failure is logged as an error line naming the part and its origin
// ("part 3 of 7 (text/x-shellscript from s3://b/k, line 2 of part 1): exited with status 2")
// when it happens; skips and handler warnings as warning lines; Report::FailureLines()
// returns the failure lines again for a summary.
#ifndef S3US_RUN_DISPATCHER_H_
#define S3US_RUN_DISPATCHER_H_

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/instance.h"
#include "expand/plan.h"
#include "run/handler.h"
#include "run/process.h"
#include "run/report.h"
#include "run/run_state.h"

namespace s3us::run {

inline constexpr const char* kDefaultCloudConfigDir = "/etc/cloud/cloud.cfg.d";

struct DispatchOptions {
  std::string state_dir = kDefaultStateDir;
  std::string cloud_config_dir = kDefaultCloudConfigDir;
  std::string self_path;               // our binary (S3_USER_SCRIPT, PATH); empty: unset
  std::optional<std::string> boot_id;  // unset: read /proc/sys/kernel/random/boot_id
  bool dry_run = false;
  bool keep_going = false;
  bool force = false;  // run per-instance / per-boot / per-once parts that already ran
  std::chrono::milliseconds part_timeout{0};  // 0: none
  std::chrono::milliseconds kill_grace{5000};
  ConsoleSink console;              // child output; nullptr: our stdout/stderr
  char* const* base_env = nullptr;  // children's base environment; nullptr: ours
  // Set in every part's environment unless the base environment has the name: what the
  // command line configured that a script's own `get` must see too ("AWS_REGION=…").
  std::vector<std::string> script_env_defaults;
  // How the caller moves the scripts off a noexec mount ("set TMPDIR"); shown when an exec
  // is refused for permission.
  std::string noexec_advice;
};

// 1-based Plan indices in dispatch order: boothooks first, then the rest in Plan order.
std::vector<int> RunOrder(const expand::Plan& plan, const Registry& registry);

class Dispatcher {
 public:
  Dispatcher(const Registry& registry, Clock& clock) : registry_(registry), clock_(clock) {}

  // Success: the Report (part failures are in it, status "failed"). report.json is written
  // unless dry_run. Errors before any part ran: kUnsafePath (a symlink, a non-regular
  // report.json or a foreign owner in the state directory: nothing is written through it),
  // kInvalidInput (instance id), kIo, also of the "running" record written before the
  // first part. After parts ran, a report.json that cannot be written is
  // Report::not_recorded (a run without its report is not a success).
  Result<Report> Run(const expand::Plan& plan, const InstanceFacts& instance,
                     const DispatchOptions& options);

 private:
  const Registry& registry_;
  Clock& clock_;
};

// Records a run that ended before its first part (its plan failed, or an interrupt came
// first), so that `status` does not show the run before it: a report without parts, status
// "interrupted" after an interrupt, else "failed", with `error` (the lines the run printed,
// as printed), written as Dispatcher::Run writes its report. Errors as Run's before any part.
Status RecordUndispatchedRun(const InstanceFacts& instance, const DispatchOptions& options,
                             Clock& clock, Clock::WallTime started_at, std::string error);

}  // namespace s3us::run

#endif  // S3US_RUN_DISPATCHER_H_

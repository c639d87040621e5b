#include "run/dispatcher.h"

#include <unistd.h>

#include <algorithm>

#include "core/crypto.h"
#include "core/interrupt.h"
#include "core/log.h"
#include "core/strings.h"
#include "run/describe.h"
#include "run/executor.h"

namespace s3us::run {
namespace {

std::string AlreadyRanMessage(Frequency frequency) {
  switch (frequency) {
    case Frequency::kPerBoot:
      return "already ran this boot";
    case Frequency::kPerOnce:
      return "already ran once on this machine (per-once)";
    default:
      return "already ran on this instance";
  }
}

// Closes the log file however the run ends.
struct FdGuard {
  int fd = -1;
  ~FdGuard() {
    if (fd >= 0) close(fd);
  }
};

void AppendLog(int fd, const std::string& line) {
  if (fd < 0) return;
  std::string text = line + "\n";
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = write(fd, text.data() + off, text.size() - off);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

PartRecord NewRecord(const userdata::Part& part, int count) {
  PartRecord r;
  r.index = part.index;
  r.content_type = part.content_type;
  r.filename = part.filename;
  r.size = part.payload.size();
  r.sha256 = part.payload.Sha256Hex();
  r.source = part.origin.source;
  r.chain = part.origin.chain;
  r.description = DescribePart(part, count);
  r.outcome.kind = OutcomeKind::kNotRun;
  return r;
}

// The boot id keys per-boot markers; without one they cannot be kept, which is a warning.
std::string BootId(const DispatchOptions& options) {
  if (options.boot_id.has_value()) return *options.boot_id;
  Result<std::string> read = ReadBootId();
  if (read.ok()) return *read;
  LogWarning(read.error().ToString() + "; per-boot parts will run again on the next run");
  return "";
}

Report StartReport(const expand::Plan& plan, const InstanceFacts& instance,
                   const DispatchOptions& options, Clock& clock) {
  Report report;
  report.started_at = clock.Now();
  report.dry_run = options.dry_run;
  report.keep_going = options.keep_going;
  report.force = options.force;
  report.instance_id = instance.instance_id;
  report.region = instance.region;
  report.state_dir = options.state_dir;
  report.omitted = plan.omitted;
  report.boot_id = BootId(options);
  return report;
}

ExecutorOptions ExecutorOptionsFor(const InstanceFacts& instance, int part_count,
                                   const StateLayout& layout, const DispatchOptions& options,
                                   int log_fd) {
  ExecutorOptions o;
  o.instance = &instance;
  o.part_count = part_count;
  o.state_dir = layout.state_dir;
  o.self_path = options.self_path;
  o.base_env = options.base_env;
  o.env_defaults = options.script_env_defaults;
  o.timeout = options.part_timeout;
  o.kill_grace = options.kill_grace;
  o.log_fd = log_fd;
  o.console = options.console;
  return o;
}

// One run's parts, in run order: each is recorded as not run, skipped or handled, and its
// outcome logged and, on success, marked so that a later run knows it ran.
class PartRunner {
 public:
  PartRunner(const Registry& registry, Clock& clock, RunState& state,
             const DispatchOptions& options, const InstanceFacts& instance, HandlerContext& ctx,
             int log_fd)
      : registry_(registry),
        clock_(clock),
        state_(state),
        options_(options),
        instance_(instance),
        ctx_(ctx),
        log_fd_(log_fd) {}

  void Run(const userdata::Part& part, PartRecord& record) {
    Handler* handler = registry_.Find(part.content_type);
    Frequency frequency = handler ? handler->FrequencyFor(part) : Frequency::kAlways;
    record.handler = handler ? std::string(handler->name()) : "";
    record.frequency = std::string(FrequencyName(frequency));
    const std::string key = MarkerKey(part);
    if (AnotherInstances(part, record) || NotToRun(record, frequency, key)) return;
    Handle(part, record, handler);
    Settle(part, record, frequency, key);
  }

  // The index of the part whose failure stopped the run, or 0.
  int stopped_after() const { return stopped_after_; }
  // The index of the part an interrupt ended, or 0.
  int interrupted_part() const { return interrupted_part_; }

 private:
  // cloud-init's launch-index filter: a part with a Launch-Index is for that instance of
  // the launch only (one int() refused is for none); without the instance's index, for all.
  bool AnotherInstances(const userdata::Part& part, PartRecord& record) {
    if (!part.launch_index || !instance_.launch_index) return false;
    const std::string ours = std::to_string(*instance_.launch_index);
    if (*part.launch_index == ours) return false;
    record.outcome.kind = OutcomeKind::kSkipped;
    record.outcome.message = "Launch-Index " + Printable(*part.launch_index, 40) +
                             " is not this instance's (" + ours + ")";
    LogInfo(record.description + ": skipped: " + record.outcome.message);
    AppendLog(log_fd_, "==== " + record.description + ": skipped: " + record.outcome.message);
    return true;
  }

  // A part after an interrupt or a failure (without --keep-going), or one that already ran.
  bool NotToRun(PartRecord& record, Frequency frequency, const std::string& key) {
    if (int sig = InterruptSignal(); sig != 0) {
      record.outcome.kind = OutcomeKind::kNotRun;
      record.outcome.message = "not run: interrupted by " + SignalName(sig);
      return true;
    }
    if (stopped_after_ != 0) {
      record.outcome.kind = OutcomeKind::kNotRun;
      record.outcome.message = "not run: part " + std::to_string(stopped_after_) + " failed";
      return true;
    }
    if (options_.force || !state_.HasRun(frequency, key)) return false;
    record.outcome.kind = OutcomeKind::kAlreadyRan;
    record.outcome.message = AlreadyRanMessage(frequency);
    LogInfo(record.description + ": " + record.outcome.message);
    AppendLog(log_fd_, "==== " + record.description + ": " + record.outcome.message);
    return true;
  }

  void Handle(const userdata::Part& part, PartRecord& record, Handler* handler) {
    if (handler == nullptr) {
      record.outcome.kind = OutcomeKind::kSkipped;
      record.outcome.message = "unhandled content type";
      return;
    }
    record.started_at = clock_.Now();
    auto mono = clock_.Monotonic();
    Result<Outcome> outcome = handler->Handle(part, ctx_);
    record.duration_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Monotonic() - mono).count();
    if (outcome.ok()) {
      record.outcome = std::move(*outcome);
    } else {
      record.outcome.kind = OutcomeKind::kFailed;
      record.outcome.message = outcome.error().ToString();
    }
  }

  // Logs the outcome and marks a success; a failure stops the run unless --keep-going.
  void Settle(const userdata::Part& part, PartRecord& record, Frequency frequency,
              const std::string& key) {
    for (const std::string& warning : record.outcome.warnings) {
      LogWarning(record.description + ": " + warning);
      AppendLog(log_fd_, "==== " + record.description + ": warning: " + warning);
    }
    const std::string& message = record.outcome.message;
    switch (record.outcome.kind) {
      case OutcomeKind::kOk:
        if (!options_.dry_run) Mark(part, record, frequency, key);
        LogInfo(record.description + ": " + message);
        break;
      case OutcomeKind::kFailed:
        // An interrupt stops the run whatever --keep-going says; the CLI's one line names it.
        if (InterruptSignal() != 0) {
          interrupted_part_ = part.index;
          stopped_after_ = part.index;
          AppendLog(log_fd_, "==== " + record.description + ": " + message);
          break;
        }
        LogError(record.description + ": " + message);
        AppendLog(log_fd_, "==== " + record.description + ": error: " + message);
        if (!options_.keep_going) stopped_after_ = part.index;
        break;
      case OutcomeKind::kSkipped:
        LogWarning(record.description + ": skipped: " + message);
        AppendLog(log_fd_, "==== " + record.description + ": skipped: " + message);
        break;
      default:
        LogInfo(record.description + ": " + message);
        break;
    }
  }

  // A marker that cannot be written is a warning: the part ran and may run again next time.
  void Mark(const userdata::Part& part, PartRecord& record, Frequency frequency,
            const std::string& key) {
    nlohmann::json marker{{"filename", part.filename},
                          {"sha256", record.sha256},
                          {"instance_id", instance_.instance_id},
                          {"part_index", part.index},
                          {"ran_at", FormatRfc3339(*record.started_at)}};
    Status marked = state_.MarkRan(frequency, key, std::move(marker));
    if (marked.ok()) return;
    record.outcome.warnings.push_back(marked.error().ToString());
    LogWarning(record.description + ": " + marked.error().ToString());
  }

  const Registry& registry_;
  Clock& clock_;
  RunState& state_;
  const DispatchOptions& options_;
  const InstanceFacts& instance_;
  HandlerContext& ctx_;
  const int log_fd_;
  int stopped_after_ = 0;
  int interrupted_part_ = 0;
};

}  // namespace

std::vector<int> RunOrder(const expand::Plan& plan, const Registry& registry) {
  std::vector<int> first, rest;
  for (size_t i = 0; i < plan.parts.size(); ++i) {
    Handler* h = registry.Find(plan.parts[i].content_type);
    bool boothook = h != nullptr && h->phase() == Phase::kBoothook;
    (boothook ? first : rest).push_back(static_cast<int>(i) + 1);
  }
  first.insert(first.end(), rest.begin(), rest.end());
  return first;
}

Result<Report> Dispatcher::Run(const expand::Plan& plan, const InstanceFacts& instance,
                               const DispatchOptions& options) {
  Report report = StartReport(plan, instance, options, clock_);
  Result<RunState> state =
      options.dry_run ? RunState::Inspect(options.state_dir, instance.instance_id, report.boot_id)
                      : RunState::Open(options.state_dir, instance.instance_id, report.boot_id);
  if (!state.ok()) return std::move(state.error());
  const StateLayout& layout = state->layout();

  FdGuard log;
  if (!options.dry_run) {
    Result<int> fd = state->CreateLogFile(FormatStamp(report.started_at), &report.log_path);
    if (!fd.ok()) return std::move(fd.error()).WithContext("preparing the state directory");
    log.fd = *fd;
  }

  const int count = static_cast<int>(plan.parts.size());
  ProcessExecutor executor(ExecutorOptionsFor(instance, count, layout, options, log.fd));
  HandlerContext ctx;
  ctx.instance = &instance;
  ctx.paths = {layout.state_dir,     layout.instance_dir, layout.scripts_dir,
               layout.boothooks_dir, report.log_path,     options.cloud_config_dir};
  ctx.dry_run = options.dry_run;
  ctx.part_count = count;
  ctx.executor = options.dry_run ? nullptr : &executor;
  ctx.noexec_advice = options.noexec_advice;

  for (const userdata::Part& part : plan.parts) report.parts.push_back(NewRecord(part, count));
  for (Handler* h : registry_.All()) {
    ctx.takes_parts = std::any_of(plan.parts.begin(), plan.parts.end(), [&](const auto& part) {
      return registry_.Find(part.content_type) == h;
    });
    Status begun = h->Begin(ctx);
    if (!begun.ok()) return std::move(begun.error()).WithContext(std::string(h->name()));
  }

  if (!options.dry_run) {
    // On record before any part runs: a run killed, crashed or out of disk later must not
    // leave the run before it as the last verdict. A state where even this cannot be
    // written runs nothing.
    report.status = kRunningStatus;
    report.finished_at = report.started_at;
    Status started = state->WriteReport(DumpJson(ReportToJson(report)));
    if (!started.ok()) return std::move(started.error()).WithContext("recording the run's start");
  }
  PartRunner runner(registry_, clock_, *state, options, instance, ctx, log.fd);
  int run_order = 0;
  for (int index : RunOrder(plan, registry_)) {
    PartRecord& record = report.parts[static_cast<size_t>(index) - 1];
    record.run_order = ++run_order;
    runner.Run(plan.parts[static_cast<size_t>(index) - 1], record);
  }

  const int interrupted = InterruptSignal();
  for (Handler* h : registry_.All()) {
    Status ended = h->End(ctx, runner.stopped_after() == 0 && interrupted == 0);
    if (!ended.ok()) LogWarning(std::string(h->name()) + ": " + ended.error().ToString());
  }
  report.finished_at = clock_.Now();
  if (interrupted != 0) {
    report.interrupted_by = SignalName(interrupted);
    report.interrupted_part = runner.interrupted_part();
  }
  report.status = options.dry_run    ? "dry-run"
                  : interrupted != 0 ? "interrupted"
                  : report.failed()  ? "failed"
                                     : "ok";
  if (!options.dry_run) {
    // Parts ran, but a run without its report must not look like a success.
    Status written = state->WriteReport(DumpJson(ReportToJson(report)));
    if (!written.ok()) report.not_recorded = std::move(written).error();
  }
  return report;
}

Status RecordUndispatchedRun(const InstanceFacts& instance, const DispatchOptions& options,
                             Clock& clock, Clock::WallTime started_at, std::string error) {
  Report report = StartReport(expand::Plan{}, instance, options, clock);
  report.started_at = started_at;
  report.finished_at = clock.Now();
  report.error = std::move(error);
  if (int interrupted = InterruptSignal(); interrupted != 0) {
    report.interrupted_by = SignalName(interrupted);
  }
  report.status = report.interrupted_by.empty() ? "failed" : "interrupted";
  Result<RunState> state = RunState::Open(options.state_dir, instance.instance_id, report.boot_id);
  if (!state.ok()) return std::move(state.error());
  return state->WriteReport(DumpJson(ReportToJson(report)));
}

}  // namespace s3us::run

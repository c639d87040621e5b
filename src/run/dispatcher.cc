#include "run/dispatcher.h"

#include <unistd.h>

#include "core/crypto.h"
#include "core/log.h"
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
  r.sha256 = Sha256Hex(part.payload);
  r.source = part.origin.source;
  r.chain = part.origin.chain;
  r.description = DescribePart(part, count);
  r.outcome.kind = OutcomeKind::kNotRun;
  return r;
}

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
  Report report;
  report.started_at = clock_.Now();
  report.dry_run = options.dry_run;
  report.keep_going = options.keep_going;
  report.force = options.force;
  report.instance_id = instance.instance_id;
  report.region = instance.region;
  report.state_dir = options.state_dir;
  report.omitted = plan.omitted;

  std::string boot_id;
  if (options.boot_id.has_value()) {
    boot_id = *options.boot_id;
  } else if (Result<std::string> read = ReadBootId(); read.ok()) {
    boot_id = *read;
  } else {
    LogWarning(read.error().ToString() + "; per-boot parts will run again on the next run");
  }
  report.boot_id = boot_id;

  Result<RunState> state = options.dry_run
                               ? RunState::Inspect(options.state_dir, instance.instance_id, boot_id)
                               : RunState::Open(options.state_dir, instance.instance_id, boot_id);
  if (!state.ok()) return std::move(state.error());
  const StateLayout& layout = state->layout();

  FdGuard log;
  if (!options.dry_run) {
    Result<int> fd = state->CreateLogFile(FormatStamp(report.started_at), &report.log_path);
    if (!fd.ok()) return std::move(fd.error()).WithContext("preparing the state directory");
    log.fd = *fd;
  }

  const int count = static_cast<int>(plan.parts.size());
  ExecutorOptions exec_options;
  exec_options.instance = &instance;
  exec_options.part_count = count;
  exec_options.state_dir = layout.state_dir;
  exec_options.self_path = options.self_path;
  exec_options.base_env = options.base_env;
  exec_options.timeout = options.part_timeout;
  exec_options.kill_grace = options.kill_grace;
  exec_options.log_fd = log.fd;
  exec_options.console = options.console;
  ProcessExecutor executor(std::move(exec_options));

  HandlerContext ctx;
  ctx.instance = &instance;
  ctx.paths = {layout.state_dir,     layout.instance_dir, layout.scripts_dir,
               layout.boothooks_dir, report.log_path,     options.cloud_config_dir};
  ctx.dry_run = options.dry_run;
  ctx.part_count = count;
  ctx.executor = options.dry_run ? nullptr : &executor;

  for (const userdata::Part& part : plan.parts) report.parts.push_back(NewRecord(part, count));
  for (Handler* h : registry_.All()) {
    Status begun = h->Begin(ctx);
    if (!begun.ok()) return std::move(begun.error()).WithContext(std::string(h->name()));
  }

  int stopped_after = 0;
  int run_order = 0;
  for (int index : RunOrder(plan, registry_)) {
    const userdata::Part& part = plan.parts[static_cast<size_t>(index) - 1];
    PartRecord& record = report.parts[static_cast<size_t>(index) - 1];
    record.run_order = ++run_order;
    Handler* handler = registry_.Find(part.content_type);
    Frequency frequency = handler ? handler->FrequencyFor(part) : Frequency::kAlways;
    record.handler = handler ? std::string(handler->name()) : "";
    record.frequency = std::string(FrequencyName(frequency));

    if (stopped_after != 0) {
      record.outcome.kind = OutcomeKind::kNotRun;
      record.outcome.message = "not run: part " + std::to_string(stopped_after) + " failed";
      continue;
    }
    std::string key = MarkerKey(part);
    if (!options.force && state->HasRun(frequency, key)) {
      record.outcome.kind = OutcomeKind::kAlreadyRan;
      record.outcome.message = AlreadyRanMessage(frequency);
      LogInfo(record.description + ": " + record.outcome.message);
      AppendLog(log.fd, "==== " + record.description + ": " + record.outcome.message);
      continue;
    }
    if (handler == nullptr) {
      record.outcome.kind = OutcomeKind::kSkipped;
      record.outcome.message = "unhandled content type";
    } else {
      record.started_at = clock_.Now();
      auto mono = clock_.Monotonic();
      Result<Outcome> outcome = handler->Handle(part, ctx);
      record.duration_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Monotonic() - mono).count();
      if (outcome.ok()) {
        record.outcome = std::move(*outcome);
      } else {
        record.outcome.kind = OutcomeKind::kFailed;
        record.outcome.message = outcome.error().ToString();
      }
    }

    for (const std::string& warning : record.outcome.warnings) {
      LogWarning(record.description + ": " + warning);
      AppendLog(log.fd, "==== " + record.description + ": warning: " + warning);
    }
    switch (record.outcome.kind) {
      case OutcomeKind::kOk:
        if (!options.dry_run) {
          nlohmann::json marker{{"filename", part.filename},
                                {"sha256", record.sha256},
                                {"instance_id", instance.instance_id},
                                {"part_index", part.index},
                                {"ran_at", FormatRfc3339(*record.started_at)}};
          Status marked = state->MarkRan(frequency, key, std::move(marker));
          if (!marked.ok()) {
            record.outcome.warnings.push_back(marked.error().ToString());
            LogWarning(record.description + ": " + marked.error().ToString());
          }
        }
        LogInfo(record.description + ": " + record.outcome.message);
        break;
      case OutcomeKind::kFailed:
        LogError(record.description + ": " + record.outcome.message);
        AppendLog(log.fd, "==== " + record.description + ": error: " + record.outcome.message);
        if (!options.keep_going) stopped_after = part.index;
        break;
      case OutcomeKind::kSkipped:
        LogWarning(record.description + ": skipped: " + record.outcome.message);
        AppendLog(log.fd, "==== " + record.description + ": skipped: " + record.outcome.message);
        break;
      default:
        LogInfo(record.description + ": " + record.outcome.message);
        break;
    }
  }

  for (Handler* h : registry_.All()) {
    Status ended = h->End(ctx, stopped_after == 0);
    if (!ended.ok()) LogWarning(std::string(h->name()) + ": " + ended.error().ToString());
  }
  report.finished_at = clock_.Now();
  report.status = options.dry_run ? "dry-run" : (report.failed() ? "failed" : "ok");
  if (!options.dry_run) {
    // Parts ran, but a run without its report must not look like a success.
    Status written = state->WriteReport(DumpJson(ReportToJson(report)));
    if (!written.ok()) return std::move(written.error());
  }
  return report;
}

}  // namespace s3us::run

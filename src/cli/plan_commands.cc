#include "cli/plan_commands.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <variant>

#include "cli/exit_codes.h"
#include "cli/json_output.h"
#include "cli/legacy.h"
#include "cli/plan_builder.h"
#include "cli/result_output.h"
#include "cli/run_lock.h"
#include "core/clock.h"
#include "core/interrupt.h"
#include "core/log.h"
#include "core/private_paths.h"
#include "core/secret.h"
#include "core/strings.h"
#include "handlers/builtin.h"
#include "run/dispatcher.h"
#include "run/plan_view.h"
#include "run/report.h"
#include "run/run_state.h"
#include "userdata/serialize.h"

namespace s3us::cli {
namespace {

std::string SelfPath() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

Result<run::Registry> MakeRegistry() {
  run::Registry registry;
  if (Status st = handlers::RegisterBuiltinHandlers(registry); !st.ok()) return st.error();
  return registry;
}

void PrintPlan(const Options& o, const expand::Plan& plan, const run::Registry& registry) {
  if (o.json) {
    WriteJsonDocument(run::PlanToJson(plan, registry));
  } else if (!o.quiet) {
    WriteResult(run::RenderPlanText(plan, registry));
  }
}

// Scripts run with their own directory as cwd and see S3US_STATE_DIR: a relative state or
// cloud-config directory would name the wrong place (or nothing) for them.
std::string AbsolutePath(const std::string& path) {
  if (path.empty() || path.front() == '/') return path;
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  return ec ? path : absolute.lexically_normal().string();
}

Result<std::string> ReplayStateDir(const Options& o) {
  if (!o.state_dir.empty()) return AbsolutePath(o.state_dir);
  Result<std::string> dir = MakePrivateTempDir("s3-user-script-replay-");
  if (!dir.ok()) return dir;
  return AbsolutePath(*dir);
}

// Parts' output under --json: their logs keep it all; the terminal sees it on stderr.
void OutputToStderr(int /*stream*/, std::string_view bytes) {
  std::fwrite(bytes.data(), 1, bytes.size(), stderr);
}

// The line and exit code of a run an interrupt stopped: the part it ended, or the place
// between parts where the run stopped.
int InterruptedRun(const run::Report& report) {
  int sig = InterruptSignal();
  if (report.interrupted_part > 0) {
    const run::PartRecord& part = report.parts[static_cast<size_t>(report.interrupted_part) - 1];
    return InterruptedExit(sig, "running " + part.description + "; later parts did not run");
  }
  for (const run::PartRecord& part : report.parts) {
    if (part.outcome.kind == run::OutcomeKind::kNotRun && part.run_order > 0) {
      return InterruptedExit(sig, "between parts; " + part.description + " and later did not run");
    }
  }
  return InterruptedExit(sig, "finishing the run");
}

// cloud-init's launch-index filter needs the instance's index: asked of IMDS only when a
// part names one and the instance facts came from there (a replay takes --launch-index).
Status LearnLaunchIndex(Planned& p) {
  Services& s = *p.services;
  if (s.facts.launch_index || !s.facts_from_imds || !s.imds) return Ok();
  const auto& parts = p.plan.parts;
  if (std::none_of(parts.begin(), parts.end(),
                   [](const userdata::Part& part) { return part.launch_index.has_value(); })) {
    return Ok();
  }
  Result<std::optional<int>> index = s.imds->GetLaunchIndex();
  if (!index.ok()) return std::move(index).error();
  s.facts.launch_index = *index;
  return Ok();
}

// A run's hold on its state directory: the run lock (cli/run_lock.h), held to the end of
// the run, and when the run began. `run` and `replay --state-dir` take it before planning,
// so that `status` sees the run while it fetches (`status --wait` waits for it) and a second
// run is refused before it fetches anything.
struct RunHold {
  RunLock lock;
  std::string state_dir;
  Clock::WallTime started_at;
};

Result<RunHold> HoldStateDir(const std::string& state_dir) {
  Clock::WallTime now = SystemClock::Get().Now();
  Result<RunLock> lock = RunLock::Acquire(state_dir, run::FormatRfc3339(now));
  if (!lock.ok()) return std::move(lock).error();
  run::RemoveStaleWorkDirs(state_dir);  // of runs killed before their end: none runs now
  return RunHold{std::move(lock).value(), state_dir, now};
}

// REQUIRES: state_dir is absolute (RunPlanLike makes it so).
run::DispatchOptions DispatchOptionsFor(const Options& o, const std::string& state_dir) {
  run::DispatchOptions d;
  d.state_dir = state_dir;
  if (!o.cloud_config_dir.empty()) {
    d.cloud_config_dir = AbsolutePath(o.cloud_config_dir);
  } else if (o.command == Command::kReplay) {
    d.cloud_config_dir = state_dir + "/cloud.cfg.d";  // a replay writes only in its own place
  }
  d.self_path = SelfPath();
  d.script_env_defaults = ScriptEnvDefaults(o);
  d.dry_run = o.dry_run;
  d.keep_going = o.keep_going;
  d.force = o.force;
  d.part_timeout = std::chrono::seconds(o.part_timeout_seconds);
  if (o.json) d.console = OutputToStderr;  // stdout carries the one JSON document
  return d;
}

// The lines this run printed as errors, as printed: secrets redacted, control bytes escaped.
std::string PrintedErrors(int code) {
  std::string text;
  for (const std::string& line : RecordedErrorLines()) {
    text += (text.empty() ? "" : "\n") + Printable(RedactSecrets(line), kMaxLogMessage);
  }
  return text.empty() ? "failed with exit code " + std::to_string(code) : text;
}

// `code`, of a run that ended before its first part; a run holding its state directory
// records it there first, so that `status` shows this failure, not the run before it.
int EndedBeforeDispatch(const Options& o, const std::optional<RunHold>& hold,
                        const InstanceFacts& facts, int code) {
  if (!hold || code == kExitOk) return code;
  Status recorded =
      run::RecordUndispatchedRun(facts, DispatchOptionsFor(o, hold->state_dir), SystemClock::Get(),
                                 hold->started_at, PrintedErrors(code));
  if (!recorded.ok()) LogWarning("the failed run is not recorded: " + recorded.error().ToString());
  return code;
}

// Dispatches a Plan; returns the exit code (0, 1), a setup failure (3) or an interrupt's.
// REQUIRES: state_dir is absolute (RunPlanLike makes it so).
int Dispatch(const Options& o, Planned& p, const run::Registry& registry,
             const std::string& state_dir, std::optional<RunHold>& hold) {
  if (Status learnt = LearnLaunchIndex(p); !learnt.ok()) {
    return EndedBeforeDispatch(o, hold, p.services->facts, SetupFailure(learnt.error()));
  }
  // Two runs never both dispatch into one state dir; `status` sees this one in progress.
  // Replay's own temporary directory is locked only now: no one knew it before.
  if (!hold && !o.dry_run) {
    Result<RunHold> taken = HoldStateDir(state_dir);
    if (!taken.ok()) return SetupFailure(taken.error());
    hold.emplace(std::move(taken).value());
  }
  run::Dispatcher dispatcher(registry, *p.services->clock);
  Result<run::Report> report =
      dispatcher.Run(p.plan, p.services->facts, DispatchOptionsFor(o, state_dir));
  // Recorded, so that `status` shows this failure (an unusable state or cloud-config
  // directory), not the run before it.
  if (!report.ok()) {
    return EndedBeforeDispatch(o, hold, p.services->facts, SetupFailure(report.error()));
  }
  nlohmann::json j = run::ReportToJson(*report);
  if (o.json) {
    WriteJsonDocument(j);
  } else if (!o.quiet) {
    WriteResult(run::RenderReport(j));
  }
  // Parts ran, but their report is not on record: the "running" record says the run did not
  // finish, which is true of its record.
  if (report->not_recorded) return SetupFailure(*report->not_recorded);
  if (!o.dry_run) SettleVerdict();  // on record: `status` tells this verdict from now on
  if (!report->interrupted_by.empty()) return InterruptedRun(*report);
  if (report->failed() || !p.plan.complete) return kExitFailed;
  return kExitOk;
}

}  // namespace

int RunPlanLike(const Options& o) {
  std::string state_dir;
  std::optional<OwnTempDir> own;
  if (o.command == Command::kReplay) {
    Result<std::string> state = ReplayStateDir(o);
    if (!state.ok()) return SetupFailure(state.error().WithContext("replay state"));
    state_dir = *state;
    if (o.state_dir.empty()) own.emplace(state_dir);
  } else if (o.command == Command::kRun) {
    state_dir = AbsolutePath(o.state_dir.empty() ? run::kDefaultStateDir : o.state_dir);
  }
  std::optional<RunHold> hold;
  if ((o.command == Command::kRun || o.command == Command::kReplay) && !own && !o.dry_run) {
    Result<RunHold> taken = HoldStateDir(state_dir);
    if (!taken.ok()) return SetupFailure(taken.error());
    hold.emplace(std::move(taken).value());
  }
  InstanceFacts facts;
  auto built = BuildPlan(o, "", state_dir, &facts);
  if (int sig = InterruptSignal(); sig != 0) {
    int code = InterruptedExit(sig, "reading, fetching and verifying the user data; nothing ran");
    return EndedBeforeDispatch(o, hold, facts, code);
  }
  if (auto* code = std::get_if<int>(&built)) return EndedBeforeDispatch(o, hold, facts, *code);
  Planned& p = std::get<Planned>(built);
  Result<run::Registry> registry = MakeRegistry();
  if (!registry.ok()) return EndedBeforeDispatch(o, hold, facts, SetupFailure(registry.error()));

  switch (o.command) {
    case Command::kPlan:
      // Incomplete only under --keep-going: includes were dropped (1), as run and replay say.
      PrintPlan(o, p.plan, *registry);
      return p.plan.complete ? kExitOk : kExitFailed;
    case Command::kResolve: {
      if (!p.plan.complete) return kExitFetch;
      Status written = userdata::WriteMime(p.plan.parts, [](std::string_view bytes) {
        if (WriteResult(bytes, false)) return Ok();
        return Status(Error(ErrorCode::kIo, "standard output"));  // WriteResult said so
      });
      if (!written.ok() && !StdoutBroken()) return SetupFailure(written.error());
      return WriteResult("") ? kExitOk : kExitSetup;
    }
    case Command::kReplay: {
      // With --json the dry run's report is the one document (it lists the plan's parts).
      if (o.dry_run && !o.json) PrintPlan(o, p.plan, *registry);
      if (!o.dry_run && !o.quiet)
        std::cerr << "s3-user-script: replay state in " << Printable(state_dir) << "\n";
      return Dispatch(o, p, *registry, state_dir, hold);
    }
    case Command::kRun:
      if (o.dry_run) {
        PrintPlan(o, p.plan, *registry);
        return p.plan.complete ? kExitOk : kExitFailed;
      }
      return Dispatch(o, p, *registry, state_dir, hold);
    default:
      return kExitUsage;
  }
}

// The predecessor's `-b BUCKET [-k TEMPLATE] [-u URL]`: the role-default object, run every
// time it is called (the user data that calls it decides when), exit status = the script's.
int RunLegacy(const Options& o) {
  if (Status bucket = CheckLegacyBucket(o.bucket); !bucket.ok()) {
    PrintError(bucket.error().ToString());
    return kExitUsage;
  }
  auto built = BuildPlan(o, LegacyIncludeDocument(o.bucket));
  if (auto* code = std::get_if<int>(&built)) return *code;
  Planned& p = std::get<Planned>(built);
  Result<run::Registry> registry = MakeRegistry();
  if (!registry.ok()) return SetupFailure(registry.error());
  // The predecessor exec'd the object: what cannot run is a failure, not a quiet success.
  const std::string object = LegacyObjectName(o.bucket, o.key_template, p.services->facts);
  if (std::optional<std::string> why = LegacyNothingToRun(p.plan, *registry)) {
    PrintError(object + ": " + *why + "; nothing ran");
    return kExitFailed;
  }
  ForgetLegacyDocument(p.plan);
  Result<std::string> state = ReplayStateDir(Options{});
  if (!state.ok()) return SetupFailure(state.error().WithContext("work directory"));
  OwnTempDir work(*state);
  if (Status learnt = LearnLaunchIndex(p); !learnt.ok()) return SetupFailure(learnt.error());
  run::DispatchOptions d;
  d.state_dir = *state;
  d.self_path = SelfPath();
  d.force = true;
  d.script_env_defaults = ScriptEnvDefaults(o);
  d.noexec_advice = "set TMPDIR to a directory on one that is not";
  run::Dispatcher dispatcher(*registry, *p.services->clock);
  Result<run::Report> report = dispatcher.Run(p.plan, p.services->facts, d);
  if (!report.ok()) return SetupFailure(report.error());
  if (!report->interrupted_by.empty()) return InterruptedRun(*report);
  bool ran = false;
  for (const run::PartRecord& r : report->parts) {
    if (r.outcome.kind == run::OutcomeKind::kFailed) {
      if (r.outcome.exit_status) return *r.outcome.exit_status;
      return r.outcome.signal ? 128 + *r.outcome.signal : kExitFailed;
    }
    ran = ran || r.outcome.exit_status.has_value();
  }
  if (!ran) {
    PrintError(object + ": every part that runs was skipped (see the warnings); nothing ran");
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace s3us::cli

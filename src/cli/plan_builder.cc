#include "cli/plan_builder.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "cli/exit_codes.h"
#include "cli/legacy.h"
#include "cli/progress.h"
#include "cli/trust_config.h"
#include "cli/validate_command.h"
#include "core/log.h"
#include "core/private_paths.h"
#include "core/strings.h"
#include "expand/include_once_cache.h"
#include "expand/key_template.h"
#include "fetch/signed_fetcher.h"
#include "run/describe.h"
#include "run/run_state.h"
#include "userdata/content_type.h"
#include "userdata/parse.h"

namespace s3us::cli {
namespace {

Where WhereFor(const Options& o) {
  if (o.on_instance) return Where::kInstance;
  switch (o.command) {
    case Command::kRun:
    case Command::kLegacy:
      return Where::kInstance;
    // Without a FILE these read IMDS, but they inspect rather than boot: a laptop's user
    // gets the "give a FILE" hint in a second or two, not after --deadline (--on-instance
    // waits for IMDS as run does).
    default:
      return Where::kWorkstation;
  }
}

bool HasIncludes(const std::vector<userdata::Part>& parts) {
  return std::any_of(parts.begin(), parts.end(), userdata::IsIncludeList);
}

expand::ExpandOptions ExpandOptionsFor(const Options& o, Deadline deadline) {
  expand::ExpandOptions eo;
  eo.limits.max_depth = o.max_depth;
  eo.limits.max_parts = o.max_parts;
  eo.limits.max_objects = o.max_objects;
  eo.limits.max_total_bytes = o.max_total_bytes;
  eo.limits.max_object_bytes = o.max_object_bytes;
  eo.max_parallel = o.max_parallel;
  eo.key_template = o.key_template;
  eo.keep_going = o.keep_going;
  eo.deadline = deadline;
  return eo;
}

// `plan` or `resolve` without a FILE reads IMDS; off EC2 that fails, and the way out is a FILE.
int UserDataFailure(const Options& o, const Error& e) {
  if (o.command == Command::kLegacy) {
    PrintError(LegacyAdvice(e.ToString()));
    return kExitSetup;
  }
  bool inspecting = o.command == Command::kPlan || o.command == Command::kResolve;
  if (!inspecting || !o.input.empty() || o.on_instance) return SetupFailure(e);
  PrintError(e.ToString() + "; off EC2, give the user data as a FILE: s3-user-script " +
             std::string(CommandName(o.command)) + " FILE");
  return kExitSetup;
}

// Where fetched bodies over 1 MiB wait as anonymous files (expand/body_sink.h) while the
// plan is built: a fresh 0700 directory, under the state directory for a real run (boot
// time /tmp may be memory), else under $TMPDIR. It is empty whatever happens (its files
// have no names) and is removed when the plan is built; the files live on with the plan.
Result<std::string> MakeWorkDir(const std::string& state_dir) {
  if (state_dir.empty()) return MakePrivateTempDir("s3-user-script-work-");
  if (Status s = MakePrivateDir(state_dir); !s.ok()) return s.error();
  return MakePrivateTempDir(run::kWorkDirPrefix, state_dir);
}

// The user data to plan: the override, else FILE or IMDS. On an instance the services
// connect in the same round trip (the facts are needed whatever the user data says).
std::variant<std::string, int> ReadBlob(const Options& o, Where where, Services& s,
                                        std::string blob) {
  std::optional<Status> connected;
  std::thread connect;
  if (where == Where::kInstance) {
    connect = std::thread([&] { connected = ConnectServices(o, where, true, s); });
  }
  Status read = Ok();
  if (blob.empty()) {
    Result<std::string> data = ReadUserData(o, s);
    if (data.ok()) {
      blob = std::move(data).value();
    } else {
      read = std::move(data).error();
    }
  }
  if (connect.joinable()) connect.join();
  if (connected && !connected->ok()) return UserDataFailure(o, connected->error());
  if (!read.ok()) return UserDataFailure(o, read.error());
  return blob;
}

// The exit for empty user data, or nothing when it is an empty plan to look at.
std::optional<int> EmptyUserDataExit(const Options& o) {
  if (o.command == Command::kRun && o.input.empty()) {
    // As cloud-init: an instance launched without user data has nothing to run.
    if (!o.quiet)
      std::fprintf(stderr, "s3-user-script: no user data for this instance: nothing to run\n");
    return kExitOk;
  }
  // cloud-init gives empty user data one empty part and does nothing with it: looking at an
  // empty file is not an error (an empty plan: "no parts"); running one still is.
  bool inspecting = o.command == Command::kPlan || o.command == Command::kResolve;
  if (inspecting && !o.input.empty()) return std::nullopt;
  PrintError("no user data" + std::string(o.input.empty() ? " (IMDS has none for this instance)"
                                                          : " in " + o.input));
  return kExitSetup;
}

// Expands the parts with connected services; prints the failures. `state_dir`, when
// given, holds the per-instance #include-once cache (read but not written in dry runs, which
// write nothing: a dry run shows the body a run would use) and the work directory.
std::variant<expand::Plan, int> ExpandParts(const Options& o, Services& s,
                                            std::vector<userdata::Part> parts,
                                            const std::string& state_dir) {
  expand::ExpandOptions eo = ExpandOptionsFor(o, s.deadline);
  if (!state_dir.empty()) {
    Result<run::StateLayout> layout = run::LayoutFor(state_dir, s.facts.instance_id);
    if (!layout.ok()) return SetupFailure(layout.error());
    eo.include_once_cache_dir = layout->instance_dir + "/include-once";
    eo.include_once_read_only = o.dry_run;
  }
  auto trust = LoadTrust(o, kSystemAllowedSigners);
  if (!trust.ok()) return SetupFailure(trust.error());
  std::optional<OwnTempDir> work;
  if (HasIncludes(parts)) {
    Result<std::string> dir = MakeWorkDir(o.dry_run ? "" : state_dir);
    if (!dir.ok()) return SetupFailure(dir.error().WithContext("work directory"));
    work.emplace(*dir);
    eo.work_dir = *dir;
  }
  // Always in the path: an include part's own #s3-allowed-signer lines and signer= options
  // need it even when no list is configured.
  fetch::SignedFetcher fetcher(*s.fetcher, *trust ? &**trust : nullptr, *s.clock);
  std::optional<ProgressFetcher> progress(std::in_place, fetcher, stderr,
                                          ProgressModeFor(o.quiet || o.no_progress));
  eo.objects_asked = [&progress](size_t objects) { progress->Known(objects); };
  expand::Expander expander(*progress, *s.clock, s.facts, eo);
  expand::ExpandResult result = expander.Expand(std::move(parts));
  progress.reset();  // its line is gone before any error or the plan is printed
  // One error line per failed run, whatever the number of failed includes; -v lists them.
  if (o.command == Command::kLegacy) {
    for (const std::string& line : LegacyFailureLines(result.failures)) PrintError(line);
  } else if (!result.failures.empty()) {
    PrintError(expand::FailureSummary(result.failures));
    if (result.failures.size() > 1) {
      for (const std::string& line : expand::FailureLines(result.failures)) LogInfo(line);
    }
  }
  if (!result.plan) return ExitCodeForExpandFailures(result.failures);
  return std::move(*result.plan);
}

// What cloud-init would refuse is refused before anything runs, as validate does: prints
// the problems; true when there are none.
bool CloudConfigsAccepted(const expand::Plan& plan) {
  std::vector<std::string> lines;
  for (const userdata::Part& part : plan.parts) {
    if (part.content_type != userdata::kTypeCloudConfig) continue;
    std::vector<Problem> problems;
    CheckCloudConfigYaml(part, problems);
    for (const Problem& problem : problems) {
      // A fetched part is named as a run names it, by its object and the include line that
      // brought it: "part 2" alone is the plan's numbering, found nowhere in the user data.
      if (!part.origin.source) {
        lines.push_back(ProblemLine(problem));
        continue;
      }
      lines.push_back(
          run::DescribePart(part, static_cast<int>(plan.parts.size())) + ": " + problem.message +
          (problem.line > 0 ? " (at its line " + std::to_string(problem.line) + ")" : ""));
    }
  }
  if (lines.empty()) return true;
  // One error line, as for failed includes; -v lists every problem.
  std::string line = lines.front();
  if (lines.size() > 1) {
    line += " (and " + CountOf(lines.size() - 1, "more problem") + "; -v lists them)";
    for (const std::string& each : lines) LogInfo(each);
  }
  PrintError(line);
  return false;
}

// BuildPlan once the services exist: fills p.plan, or returns the exit code.
std::optional<int> PlanWith(const Options& o, Where where, std::string user_data_override,
                            const std::string& state_dir, Planned& p) {
  Services& s = *p.services;
  auto blob = ReadBlob(o, where, s, std::move(user_data_override));
  if (auto* code = std::get_if<int>(&blob)) return *code;
  const std::string& text = std::get<std::string>(blob);
  if (text.empty()) {
    if (std::optional<int> code = EmptyUserDataExit(o)) return *code;
  }
  Result<std::vector<userdata::Part>> parts =
      text.empty() ? std::vector<userdata::Part>{} : userdata::Parse(text);
  if (!parts.ok()) {
    PrintError("user data: " + parts.error().ToString());
    return kExitFetch;
  }
  // Off EC2, IMDS is consulted when something must be fetched, or, for a real run, when
  // the user pointed us at one; a dry run of a local blob never touches the network.
  // On an instance ReadBlob connected already.
  bool imds_named = s.config.imds.endpoint != aws::kImdsIPv4Endpoint;
  bool consult_imds =
      HasIncludes(*parts) || (imds_named && !o.dry_run && o.command != Command::kPlan);
  if (where != Where::kInstance) {
    if (Status st = ConnectServices(o, where, consult_imds, s); !st.ok()) {
      return SetupFailure(st.error());
    }
  }

  if (o.command == Command::kLegacy) {
    if (Status facts = CheckLegacyKeyFacts(o.key_template, s.facts); !facts.ok()) {
      PrintError(LegacyObjectName(o.bucket, o.key_template, s.facts) + ": " +
                 facts.error().ToString());
      return ExitCodeFor(facts.error().code());
    }
  }
  auto plan = ExpandParts(o, s, std::move(parts).value(), state_dir);
  if (auto* code = std::get_if<int>(&plan)) return *code;
  p.plan = std::move(std::get<expand::Plan>(plan));
  if (!CloudConfigsAccepted(p.plan)) {
    expand::DropIncludeOnce(p.plan.include_once_staged);  // fetched again next time
    return kExitFetch;
  }
  if (Status kept = expand::CommitIncludeOnce(p.plan.include_once_staged); !kept.ok()) {
    LogWarning(kept.error().ToString());  // the next run fetches them again
  }
  LogInfo("plan: " + std::to_string(p.plan.parts.size()) + " parts, " +
          std::to_string(p.plan.objects_fetched) + " objects fetched (" +
          std::to_string(p.plan.bytes_fetched) + " bytes) in " +
          std::to_string(static_cast<int>(p.plan.fetch_ms)) + " ms");
  return std::nullopt;
}

}  // namespace

OwnTempDir::~OwnTempDir() { rmdir(path_.c_str()); }

std::variant<Planned, int> BuildPlan(const Options& o, std::string user_data_override,
                                     const std::string& state_dir, InstanceFacts* learnt) {
  if (Status st = expand::ValidateKeyTemplate(o.key_template); !st.ok()) {
    PrintError((o.command == Command::kLegacy ? "-k: " : "--key-template: ") +
               st.error().ToString());
    return kExitUsage;
  }
  Where where = WhereFor(o);
  Result<std::unique_ptr<Services>> built = BuildServices(o, where);
  if (!built.ok()) return SetupFailure(built.error());
  Planned p{std::move(built).value(), {}};
  std::optional<int> failed = PlanWith(o, where, std::move(user_data_override), state_dir, p);
  if (learnt) *learnt = p.services->facts;
  if (failed) return *failed;
  return p;
}

int ExitCodeForExpandFailures(const std::vector<expand::ExpandFailure>& failures) {
  int code = kExitFetch;
  for (const expand::ExpandFailure& f : failures)
    code = WorseExit(code, ExitCodeFor(f.error.code()));
  return code;
}

}  // namespace s3us::cli

#include "cli/options.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <climits>
#include <optional>
#include <sstream>
#include <utility>

#include "cli/signing_command.h"
#include "cli/usage_errors.h"

namespace s3us::cli {
namespace {

constexpr const char* kLegacyDefaultUrl = "https://s3.amazonaws.com";
constexpr const char* kExitCodesNote =
    "Exit codes: 0 all ran, 1 a part failed, 2 usage, 3 setup (no user data, credentials or "
    "state dir), 4 fetch or verification failed before anything ran.";
constexpr const char* kStatusExitCodes =
    "Exit codes: 0 the last run succeeded (or one is running), 1 it failed, 2 usage, 3 no run "
    "recorded or the state cannot be read.";
constexpr const char* kValidateExitCodes =
    "Exit codes: 0 valid, 2 usage, 3 FILE unreadable, 4 invalid (one line per problem).";

void AddOutputFlags(CLI::App* app, Options& o) {
  app->add_flag("-v,--verbose", o.verbosity, "More detail on stderr (repeatable)");
  app->add_flag("-q,--quiet", o.quiet, "Only errors on stderr");
}

void AddAwsFlags(CLI::App* app, Options& o) {
  app->add_option("--endpoint-url", o.endpoint_url,
                  "S3 endpoint to use instead of the region's (also AWS_ENDPOINT_URL_S3)")
      ->check(EndpointUrl());
  app->add_option("--region", o.region, "Region for buckets whose URL does not name one")
      ->check(RegionName());
  app->add_flag("--allow-imdsv1", o.allow_imdsv1,
                "Fall back to IMDSv1 if IMDS refuses IMDSv2 tokens (not recommended)");
  app->add_option("--deadline", o.deadline_seconds,
                  "Seconds the whole fetch may take, retries included")
      ->check(WholeNumber(1, 86400, "seconds"))
      ->type_name("SECONDS");
}

// Instance facts for a replay off EC2 (IMDS answers them on an instance).
void AddInstanceFlags(CLI::App* app, Options& o) {
  app->add_option("--role", o.role, "Role name for the key template when there is no IMDS");
  app->add_option("--instance-id", o.instance_id, "Instance id when there is no IMDS");
  app->add_option("--launch-index", o.launch_index,
                  "This instance's launch index when there is no IMDS: parts whose "
                  "Launch-Index names another are not run (default: unknown, every part runs)")
      ->check(WholeNumber(0, INT_MAX, ""))
      ->default_str("");
}

// For callers on an instance that pass the user data themselves (the cloud-init bridge).
void AddOnInstanceFlag(CLI::App* app, Options& o) {
  app->add_flag("--on-instance", o.on_instance,
                "Running on EC2: instance metadata is required and waited for, as by run");
}

void AddExpandFlags(CLI::App* app, Options& o) {
  AddAwsFlags(app, o);
  app->add_option("--key-template", o.key_template,
                  "Key for bucket-only #s3-include lines ({role}, {instance_id}, {region}, "
                  "{availability_zone}, {account_id}, {instance_type}; {{.Role}} accepted)");
  app->add_option("--allowed-signers", o.allowed_signers,
                  "Require an SSH signature (KEY.sig) by these signers on every fetched object");
  // Up to 512 requests in flight (one connection each): room under the common default
  // RLIMIT_NOFILE soft limit of 1024 for the work files and the IMDS connections.
  app->add_option("--max-parallel", o.max_parallel, "Objects fetched at once")
      ->check(WholeNumber(1, 512, "objects"));
  app->add_option("--max-depth", o.max_depth, "Include nesting limit (levels)")
      ->check(WholeNumber(1, 64, "levels"));
  app->add_option("--max-parts", o.max_parts, "Limit on parts in the plan")
      ->check(WholeNumber(1, 1000000, "parts"));
  app->add_option("--max-objects", o.max_objects, "Limit on distinct objects fetched")
      ->check(WholeNumber(1, 1000000, "objects"));
  app->add_option(
         "--max-total-bytes", o.max_total_bytes,
         "Limit on the plan's bytes: fetched, or what gzip objects hold (a size: 512K, 64M, 1G)")
      ->transform(ByteSize())
      ->type_name("SIZE")
      ->default_str("256M");
  app->add_option("--max-object-size", o.max_object_bytes,
                  "Limit on one object's size (a size: 512K, 64M, 1G)")
      ->transform(ByteSize())
      ->type_name("SIZE")
      ->default_str("64M");
  app->add_flag("--keep-going", o.keep_going,
                "Run the remaining parts after one fails (as cloud-init does)");
  app->add_flag("--no-progress", o.no_progress,
                "No \"fetching: N of M objects\" line on a terminal");
}

// `cloud_config_default`: where cloud-config parts go without --cloud-config-dir (a replay
// writes only in its own state directory).
void AddRunFlags(CLI::App* app, Options& o, const std::string& cloud_config_default) {
  app->add_option("--state-dir", o.state_dir, "Run state, markers, logs and report")
      ->check(NonEmptyPath());
  app->add_option("--cloud-config-dir", o.cloud_config_dir,
                  "Where cloud-config parts are written for cloud-init (default " +
                      cloud_config_default + ")")
      ->check(NonEmptyPath());
  app->add_option("--part-timeout", o.part_timeout_seconds, "Seconds one part may run (0: none)")
      ->check(WholeNumber(0, 604800, "seconds"))
      ->type_name("SECONDS");
  app->add_flag("--force", o.force, "Run per-instance and per-once parts again");
}

Options Defaults() { return Options{}; }

}  // namespace

std::optional<mode_t> ParseMode(const std::string& text) {
  std::string digits = text;
  if (digits.rfind("0o", 0) == 0) digits = digits.substr(2);
  if (digits.empty() || digits.size() > 4) return std::nullopt;
  mode_t mode = 0;
  for (char c : digits) {
    if (c < '0' || c > '7') return std::nullopt;
    mode = mode * 8 + static_cast<mode_t>(c - '0');
  }
  if (mode > 0777) return std::nullopt;
  return mode;
}

namespace {

// Flags read as text and checked once CLI11 is done with them.
struct RawFlags {
  std::string mode_text = "0600";
  std::string legacy_url = kLegacyDefaultUrl;
  std::string legacy_key;
  bool bucket_given = false;  // -b, empty or not
};

// The subcommands, to see which one was given.
struct Commands {
  CLI::App* run = nullptr;
  CLI::App* plan = nullptr;
  CLI::App* replay = nullptr;
  CLI::App* resolve = nullptr;
  CLI::App* validate = nullptr;
  CLI::App* status = nullptr;
  CLI::App* get = nullptr;
  SigningCommands signing;
};

void AddRootFlags(CLI::App& app, Options& o, RawFlags& raw) {
  app.set_version_flag("--version", std::string("s3-user-script ") + S3US_VERSION);
  app.option_defaults()->always_capture_default();
  app.require_subcommand(0, 1);
  app.footer(kExitCodesNote);  // subcommands copy the footer when they are added
  // As the predecessor's go-flags: a flag given twice takes the last value.
  app.add_option("-b,--bucket", o.bucket, "Predecessor's interface: bucket of <role>/user-script")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("-k,--key", raw.legacy_key, "Predecessor's interface: key template")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->default_str("{{.Role}}/user-script");
  app.add_option("-u,--url", raw.legacy_url, "Predecessor's interface: S3 endpoint URL")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)
      ->check(EndpointUrl())
      ->default_str(kLegacyDefaultUrl);
  app.add_flag("-v,--verbose", o.verbosity, "More detail on stderr (repeatable)");
}

CLI::App* AddRunCommand(CLI::App& app, Options& o, const FillIf& fill) {
  CLI::App* run = app.add_subcommand(
      "run", "On an instance: user data from IMDS, expand every include, verify, run, report");
  if (!fill(*run)) return run;
  run->add_option("--user-data", o.input, "Read user data from FILE ('-' for stdin)")
      ->check(NonEmptyPath());
  run->add_flag("--dry-run", o.dry_run, "Stop at the plan: fetch and verify, run nothing");
  run->add_flag("--json", o.json, "Print the report (or plan) as JSON");
  AddExpandFlags(run, o);
  AddRunFlags(run, o, "/etc/cloud/cloud.cfg.d");
  AddOutputFlags(run, o);
  return run;
}

CLI::App* AddPlanCommand(CLI::App& app, Options& o, const FillIf& fill) {
  CLI::App* plan =
      app.add_subcommand("plan", "Fetch and verify everything up to the plan; run nothing");
  if (!fill(*plan)) return plan;
  plan->add_option("file", o.input, "User data file ('-' for stdin; default: IMDS)");
  plan->add_flag("--json", o.json, "Print the plan as JSON");
  plan->add_flag("--offline", o.offline,
                 "Check FILE without network or credentials, as validate does");
  AddInstanceFlags(plan, o);
  AddOnInstanceFlag(plan, o);
  AddExpandFlags(plan, o);
  AddOutputFlags(plan, o);
  return plan;
}

CLI::App* AddReplayCommand(CLI::App& app, Options& o, const FillIf& fill) {
  CLI::App* replay = app.add_subcommand(
      "replay", "On a workstation: replay a saved user-data blob into a private state dir");
  if (!fill(*replay)) return replay;
  replay->add_option("file", o.input, "User data file ('-' for stdin)")->required();
  replay->add_flag("--dry-run", o.dry_run, "Stop at the plan: fetch and verify, run nothing");
  replay->add_flag("--json", o.json, "Print the report (or plan) as JSON");
  AddInstanceFlags(replay, o);
  AddExpandFlags(replay, o);
  AddRunFlags(replay, o, "<state dir>/cloud.cfg.d");
  AddOutputFlags(replay, o);
  return replay;
}

CLI::App* AddResolveCommand(CLI::App& app, Options& o, const FillIf& fill) {
  CLI::App* resolve =
      app.add_subcommand("resolve", "Print one MIME document with every include expanded in place");
  if (!fill(*resolve)) return resolve;
  resolve->add_option("file", o.input, "User data file ('-' for stdin; default: IMDS)");
  AddInstanceFlags(resolve, o);
  AddOnInstanceFlag(resolve, o);
  AddExpandFlags(resolve, o);
  AddOutputFlags(resolve, o);
  return resolve;
}

CLI::App* AddValidateCommand(CLI::App& app, Options& o, const FillIf& fill) {
  CLI::App* validate = app.add_subcommand(
      "validate", "Check a user-data FILE offline: part tree, include lines, limits, cloud-config");
  validate->footer(kValidateExitCodes);
  if (!fill(*validate)) return validate;
  validate->add_option("file", o.input, "User data file ('-' for stdin)")->required();
  validate->add_flag("--json", o.json, "Print the result as JSON");
  validate->add_option("--key-template", o.key_template,
                       "Key for bucket-only #s3-include lines (checked with stand-in facts)");
  validate->add_option("--max-parts", o.max_parts, "Limit on parts in the plan")
      ->check(WholeNumber(1, 1000000, "parts"));
  validate->add_option("--max-objects", o.max_objects, "Limit on distinct objects fetched")
      ->check(WholeNumber(1, 1000000, "objects"));
  validate
      ->add_option("--deadline", o.deadline_seconds,
                   "Seconds to wait for FILE when it is a pipe or FIFO")
      ->check(WholeNumber(1, 86400, "seconds"))
      ->type_name("SECONDS");
  AddOutputFlags(validate, o);
  return validate;
}

CLI::App* AddStatusCommand(CLI::App& app, Options& o, const FillIf& fill) {
  CLI::App* status = app.add_subcommand("status", "Show the last run's report");
  status->footer(kStatusExitCodes);
  if (!fill(*status)) return status;
  status->add_option("--state-dir", o.state_dir, "State directory of the run")
      ->check(NonEmptyPath());
  status->add_flag("--json", o.json, "Print the report as JSON");
  status->add_flag("--wait", o.wait, "Block while a run is in progress, then report it");
  status->add_flag("--long", o.long_format, "Show each part's outcome in detail");
  return status;
}

CLI::App* AddGetCommand(CLI::App& app, Options& o, RawFlags& raw, const FillIf& fill) {
  CLI::App* get = app.add_subcommand(
      "get", "Download S3 objects with the instance role (for the scripts we run)");
  if (!fill(*get)) return get;
  get->add_option("url", o.urls, "s3://, arn:aws:s3:::, S3 https or plain https URLs")->required();
  auto* out_opt = get->add_option("-o,--output", o.output, "Destination file ('-' for stdout)")
                      ->check(NonEmptyPath());
  get->add_option("-d,--dir", o.output_dir, "Destination directory (names from the keys)")
      ->excludes(out_opt)
      ->check(NonEmptyPath());
  get->add_option("--mode", raw.mode_text, "Mode of written files (octal)")->default_str("0600");
  get->add_option("--sha256", o.sha256, "Expected SHA-256 (64 hex digits) of the object")
      ->check(Sha256Hex());
  get->add_option("--version-id", o.version_id, "Object version to fetch");
  get->add_option("--allowed-signers", o.allowed_signers,
                  "Require an SSH signature (KEY.sig) by these signers on every object "
                  "(default: /etc/s3-user-script/allowed_signers when present)");
  get->add_flag("--no-progress", o.no_progress, "No progress line on a terminal");
  AddAwsFlags(get, o);
  AddOutputFlags(get, o);
  return get;
}

Commands AddCommands(CLI::App& app, Options& o, RawFlags& raw, const FillIf& fill) {
  Commands c;
  c.run = AddRunCommand(app, o, fill);
  c.plan = AddPlanCommand(app, o, fill);
  c.replay = AddReplayCommand(app, o, fill);
  c.resolve = AddResolveCommand(app, o, fill);
  c.validate = AddValidateCommand(app, o, fill);
  c.status = AddStatusCommand(app, o, fill);
  c.get = AddGetCommand(app, o, raw, fill);
  c.signing = AddSigningCommands(app, o, fill);
  // Listed with the others; RewriteHelp turns `help [COMMAND]` into `[COMMAND] --help`, so
  // it is never parsed: its COMMAND is there for its own help (`help help`).
  CLI::App* help =
      app.add_subcommand("help", "The list of commands, or the help of COMMAND and its exit codes");
  help->add_option("command", "A command (default: the list of commands)");
  help->footer("Exit codes: 0 help shown, 2 usage (an unknown COMMAND).");
  app.footer(std::string(kExitCodesNote) +
             "\nPredecessor's interface: s3-user-script -b BUCKET [-k TEMPLATE] [-u URL] [-v] "
             "fetches BUCKET/<role>/user-script and runs it.");
  return c;
}

// `help [COMMAND]` is `[COMMAND] --help` (`help --help` is `help help`). A usage error for
// anything else after `help`.
Result<std::vector<std::string>> RewriteHelp(std::vector<std::string> words, const CLI::App& app) {
  if (words.size() < 2 || words[1] != "help") return words;
  if (words.size() == 3 && (words[2] == "--help" || words[2] == "-h")) words[2] = "help";
  std::vector<std::string> commands = CommandNames(app);
  if (words.size() > 3) {
    return Error(ErrorCode::kInvalidInput, "help takes one COMMAND (see s3-user-script help)");
  }
  if (words.size() == 3 &&
      std::find(commands.begin(), commands.end(), words[2]) == commands.end()) {
    std::string near = NearestName(words[2], commands);
    return Error(ErrorCode::kInvalidInput,
                 "help: unknown command '" + words[2] + "'" +
                     (near.empty() ? "" : "; did you mean " + near + "?"));
  }
  words.erase(words.begin() + 1);
  words.push_back("--help");
  return words;
}

// The predecessor parsed its flags with go-flags, where `-b=BUCKET` is `-b BUCKET` (CLI11
// would keep the '=' in the value): such words are split up to the first word that is no
// flag (a command).
std::vector<std::string> SplitLegacyAssignments(const std::vector<std::string>& words) {
  auto legacy = [](const std::string& w) { return w == "-b" || w == "-k" || w == "-u"; };
  auto takes_value = [&legacy](const std::string& w) {
    return legacy(w) || w == "--bucket" || w == "--key" || w == "--url";
  };
  std::vector<std::string> out;
  size_t i = 0;
  for (; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (i > 0 && (w == "--" || w.empty() || w[0] != '-')) break;
    if (takes_value(w) && i + 1 < words.size()) {  // its value, whatever it looks like
      out.push_back(w);
      out.push_back(words[++i]);
    } else if (w.size() >= 3 && w[2] == '=' && legacy(w.substr(0, 2))) {
      out.push_back(w.substr(0, 2));
      out.push_back(w.substr(3));
    } else {
      out.push_back(w);
    }
  }
  out.insert(out.end(), words.begin() + static_cast<std::ptrdiff_t>(i), words.end());
  return out;
}

std::optional<Command> GivenCommand(const Commands& c, const Options& o) {
  if (c.validate->parsed() || (c.plan->parsed() && o.offline)) return Command::kValidate;
  const std::pair<CLI::App*, Command> table[] = {
      {c.run, Command::kRun},           {c.plan, Command::kPlan},
      {c.replay, Command::kReplay},     {c.resolve, Command::kResolve},
      {c.status, Command::kStatus},     {c.get, Command::kGet},
      {c.signing.sign, Command::kSign}, {c.signing.verify, Command::kVerify}};
  for (const auto& [app, command] : table) {
    if (app->parsed()) return command;
  }
  return std::nullopt;
}

// --json among the options (not after "--", where it is an argument).
bool AsksForJson(const std::vector<std::string>& args) {
  auto end = std::find(args.begin(), args.end(), "--");
  return std::find(args.begin(), end, "--json") != end;
}

// What CLI11 cannot check: the predecessor's flags, get's destinations, and flags that
// exclude each other. Returns the usage error, if any.
std::optional<std::string> CheckOptions(Options& o, const RawFlags& raw, bool any_command) {
  bool legacy_flags =
      raw.bucket_given || !raw.legacy_key.empty() || raw.legacy_url != kLegacyDefaultUrl;
  if (!any_command) {
    if (!raw.bucket_given) return "no command given (see s3-user-script help)";
    if (o.bucket.empty()) return "-b needs a bucket name (s3-user-script -b BUCKET)";
    o.command = Command::kLegacy;
    if (!raw.legacy_key.empty()) o.key_template = raw.legacy_key;
    // The predecessor's default URL is plain AWS; only another URL is an endpoint override.
    if (raw.legacy_url != kLegacyDefaultUrl) o.endpoint_url = raw.legacy_url;
  } else if (legacy_flags) {
    return "-b, -k and -u belong to the predecessor's interface and take no command";
  }
  if (o.command == Command::kGet) {
    auto mode = ParseMode(raw.mode_text);
    if (!mode) return "--mode '" + raw.mode_text + "' is not an octal file mode";
    o.mode = *mode;
    if (o.output == "-" && o.urls.size() > 1) {
      return "-o - writes one object to stdout; give one URL or use -d DIR";
    }
    if (!o.output.empty() && o.output != "-" && o.urls.size() > 1) {
      return "-o names one file; use -d DIR for several URLs";
    }
    if (!o.sha256.empty() && o.urls.size() > 1) return "--sha256 pins one object; give one URL";
  }
  if (o.offline && o.input.empty()) return "plan --offline needs a FILE";
  if (o.quiet && o.verbosity > 0) return "--quiet and --verbose exclude each other";
  return std::nullopt;
}

}  // namespace

ParsedCommandLine ParseCommandLine(const std::vector<std::string>& args) {
  Options o = Defaults();
  RawFlags raw;
  CLI::App app{
      "s3-user-script: cloud-init style user data with #s3-include, fetched from private S3 "
      "with the instance role (IMDSv2, SigV4)",
      "s3-user-script"};
  AddRootFlags(app, o, raw);
  // CLI11's option setup is most of a short command's start-up, so a subcommand gets its
  // options only when its name is among the words (help for one is `COMMAND --help`).
  FillIf named = [&args](const CLI::App& command) {
    return std::find(args.begin(), args.end(), command.get_name()) != args.end();
  };
  Commands commands = AddCommands(app, o, raw, named);

  ParsedCommandLine result;
  auto usage = [&](const std::string& message) {
    result.output = ErrorLine(message);
    result.exit_code = kExitUsage;
    result.error = message;
    result.json = AsksForJson(args);
    return result;
  };
  Result<std::vector<std::string>> words = RewriteHelp(SplitLegacyAssignments(args), app);
  if (!words.ok()) return usage(words.error().message());
  if (std::optional<std::string> bad = DescribeBadAssignment(*words, app)) return usage(*bad);
  std::vector<std::string> reversed(words->rbegin(), words->rend());
  if (!reversed.empty()) reversed.pop_back();  // argv[0]
  try {
    app.parse(reversed);
  } catch (const CLI::Success&) {
    // --help and --version land here, with the text produced by CLI11.
    std::ostringstream out, err;
    try {
      throw;
    } catch (const CLI::Error& e) {
      app.exit(e, out, err);
    }
    result.output = out.str();
    result.exit_code = kExitOk;
    return result;
  } catch (const CLI::ParseError& e) {
    return usage(DescribeParseError(e, app, *words));
  }

  std::optional<Command> given = GivenCommand(commands, o);
  if (given) o.command = *given;
  raw.bucket_given = app.count("--bucket") > 0;
  if (std::optional<std::string> bad = CheckOptions(o, raw, given.has_value())) {
    return usage(*bad);
  }
  result.options = std::move(o);
  return result;
}

std::string_view CommandName(Command command) {
  switch (command) {
    case Command::kRun:
      return "run";
    case Command::kPlan:
      return "plan";
    case Command::kReplay:
      return "replay";
    case Command::kResolve:
      return "resolve";
    case Command::kStatus:
      return "status";
    case Command::kGet:
      return "get";
    case Command::kLegacy:
      return "-b BUCKET";
    case Command::kSign:
      return "sign";
    case Command::kVerify:
      return "verify";
    case Command::kValidate:
      return "validate";
  }
  return "?";
}

}  // namespace s3us::cli

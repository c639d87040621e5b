#include "cli/command_flags.h"

#include <CLI/CLI.hpp>
#include <climits>
#include <string>

#include "cli/usage_errors.h"

namespace s3us::cli {
namespace {

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
                "Go on past a failed include (dropped) or part, as cloud-init does");
  app->add_flag("--no-progress", o.no_progress,
                "No \"fetching: N of M objects\" line on a terminal");
}

// `cloud_config_default`: where cloud-config parts go without --cloud-config-dir (a replay
// writes only in its own state directory).
void AddRunFlags(CLI::App* app, Options& o, const std::string& cloud_config_default) {
  app->add_option("--state-dir", o.state_dir, "Run state, markers, logs and report");
  app->add_option(
      "--cloud-config-dir", o.cloud_config_dir,
      "Where cloud-config parts are written for cloud-init (default " + cloud_config_default + ")");
  app->add_option("--part-timeout", o.part_timeout_seconds, "Seconds one part may run (0: none)")
      ->check(WholeNumber(0, 604800, "seconds"))
      ->type_name("SECONDS");
  app->add_flag("--force", o.force, "Run per-instance and per-once parts again");
}

CLI::App* AddRunCommand(CLI::App& app, Options& o, const FillIf& fill) {
  CLI::App* run = app.add_subcommand(
      "run", "On an instance: user data from IMDS, expand every include, verify, run, report");
  if (!fill(*run)) return run;
  run->add_option("--user-data", o.input, "Read user data from FILE ('-' for stdin)");
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
  resolve->footer(
      "Exit codes: 0 the document printed, 2 usage, 3 setup (no user data or credentials), 4 "
      "fetch or verification failed (nothing printed). It runs nothing.");
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
  status->add_option("--state-dir", o.state_dir, "State directory of the run");
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
  auto* out_opt = get->add_option("-o,--output", o.output, "Destination file ('-' for stdout)");
  get->add_option("-d,--dir", o.output_dir, "Destination directory (names from the keys)")
      ->excludes(out_opt);
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

}  // namespace

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

}  // namespace s3us::cli

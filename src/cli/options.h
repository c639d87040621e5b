// Command-line parsing: argv → Options, pure (no I/O), so every flag is unit-tested.
//
// Commands: run, plan, replay, resolve, status, get, sign, verify; and the predecessor's interface
// (`s3-user-script -b BUCKET [-k TEMPLATE] [-u URL] [-v]`) when no command is given.
// --help and --version produce text to print and exit code 0; bad usage produces one
// error line and exit code 2 (kExitUsage).
#ifndef S3US_CLI_OPTIONS_H_
#define S3US_CLI_OPTIONS_H_

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/exit_codes.h"

namespace s3us::cli {

enum class Command {
  kRun,
  kPlan,
  kReplay,
  kResolve,
  kStatus,
  kGet,
  kLegacy,
  kSign,
  kVerify,
  kValidate
};

// The command as typed: "plan", "replay", ...; "-b BUCKET" for the predecessor's form.
std::string_view CommandName(Command command);

struct Options {
  Command command = Command::kRun;

  // Where user data comes from: a file, "-" for stdin, or empty for IMDS (run only).
  std::string input;
  bool dry_run = false;
  bool json = false;
  bool offline = false;  // plan --offline: validate (no network, no credentials)
  int verbosity = 0;     // -v repeatable
  bool quiet = false;

  // AWS and instance facts.
  std::string endpoint_url;  // S3 endpoint override
  std::string region;
  std::string role;         // replay: role name when there is no IMDS
  std::string instance_id;  // replay: instance id when there is no IMDS
  int launch_index = -1;    // replay: ami-launch-index when there is no IMDS; -1: unknown
  bool allow_imdsv1 = false;
  bool on_instance = false;  // plan/resolve: IMDS required and waited for, as for run
  std::string key_template = "{role}/user-script";

  // Expansion.
  int deadline_seconds = 300;
  int max_parallel = 16;
  int max_depth = 8;
  int max_parts = 1000;
  int max_objects = 256;
  uint64_t max_total_bytes = 256ull << 20;
  uint64_t max_object_bytes = 64ull << 20;

  // Running.
  bool keep_going = false;
  bool force = false;     // re-run per-instance parts
  std::string state_dir;  // empty: the command's default
  // Empty: /etc/cloud/cloud.cfg.d for run, <state dir>/cloud.cfg.d for replay.
  std::string cloud_config_dir;
  int part_timeout_seconds = 0;  // 0: none

  // status
  bool wait = false;  // block while a run is in progress
  bool long_format = false;

  // get
  std::vector<std::string> urls;
  std::string output;      // -o DEST or "-" for stdout
  std::string output_dir;  // -d DIR
  mode_t mode = 0600;
  std::string sha256;
  std::string version_id;
  bool no_progress = false;

  // sign / verify (src/cli/signing_command.h)
  std::string signing_key;
  std::string allowed_signers;
  std::string signature_file;
  std::string principal;

  // legacy -b/-k/-u
  std::string bucket;
};

struct ParsedCommandLine {
  std::optional<Options> options;  // set when the command should run
  std::string output;              // help or version text (stdout), or one error line (stderr)
  int exit_code = kExitOk;         // meaningful when options is empty
  // A usage error: its line without the prefix, and whether --json was asked for (stdout
  // then carries a document too).
  std::string error;
  bool json = false;
};

ParsedCommandLine ParseCommandLine(const std::vector<std::string>& args);

// "0600" / "600" / "0o600" → 0600; nullopt when not an octal mode ≤ 0777.
std::optional<mode_t> ParseMode(const std::string& text);

}  // namespace s3us::cli

#endif  // S3US_CLI_OPTIONS_H_

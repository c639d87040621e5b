#include "cli/options.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <optional>
#include <sstream>
#include <utility>

#include "cli/command_flags.h"
#include "cli/signing_command.h"
#include "cli/usage_errors.h"

namespace s3us::cli {

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
    // Named as CLI11's own usage errors are: the command, then where to read more.
    auto get_error = [](const std::string& what) {
      return "get: " + what + " (see s3-user-script help get)";
    };
    auto mode = ParseMode(raw.mode_text);
    if (!mode) {
      return get_error("--mode: '" + raw.mode_text +
                       "' is not a file mode from 0 to 0777 in octal (no setuid, setgid or "
                       "sticky bit)");
    }
    o.mode = *mode;
    if (o.output == "-" && o.urls.size() > 1) {
      return get_error("-o - writes one object to stdout; give one URL or use -d DIR");
    }
    if (!o.output.empty() && o.output != "-" && o.urls.size() > 1) {
      return get_error("-o names one file; use -d DIR for several URLs");
    }
    if (!o.sha256.empty() && o.urls.size() > 1) {
      return get_error("--sha256 pins one object; give one URL");
    }
  }
  if (o.offline && o.input.empty()) return "plan --offline needs a FILE";
  // '-' is stdin or stdout everywhere else: as a directory it was one named "-" in the
  // current directory, state and report included.
  for (const auto& [flag, dir] :
       {std::pair<const char*, const std::string&>{"--state-dir", o.state_dir},
        {"--cloud-config-dir", o.cloud_config_dir}}) {
    if (dir == "-") {
      return std::string(flag) + " -: '-' names no directory (write ./- for one named -)";
    }
  }
  if (o.quiet && o.verbosity > 0) return "--quiet and --verbose exclude each other";
  return std::nullopt;
}

}  // namespace

ParsedCommandLine ParseCommandLine(const std::vector<std::string>& args) {
  Options o;
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
  if (std::optional<std::string> bad = DescribeEmptyValue(app)) return usage(*bad);
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

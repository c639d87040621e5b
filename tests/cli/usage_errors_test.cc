#include "cli/usage_errors.h"

#include <catch2/catch.hpp>
#include <cctype>
#include <map>
#include <sstream>

#include "cli/options.h"

namespace s3us::cli {
namespace {

std::string ErrorFor(std::vector<std::string> args) {
  args.insert(args.begin(), "s3-user-script");
  ParsedCommandLine r = ParseCommandLine(args);
  CHECK_FALSE(r.options.has_value());
  CHECK(r.exit_code == kExitUsage);
  return r.output;
}

TEST_CASE("parse errors are one line naming the flag and what it accepts") {
  CHECK(ErrorFor({"run", "--deadline", "0"}) ==
        "s3-user-script: error: run: --deadline: '0' is not a whole number of seconds from 1 to "
        "86400 (see s3-user-script help run)");
  CHECK(ErrorFor({"plan", "--max-parts", "x"}) ==
        "s3-user-script: error: plan: --max-parts: 'x' is not a whole number of parts from 1 to "
        "1000000 (see s3-user-script help plan)");
  CHECK(ErrorFor({"run", "--max-total-bytes", "12Q"}) ==
        "s3-user-script: error: run: --max-total-bytes: '12Q' is not a size (bytes, or with a "
        "unit: 512K, 64M, 1G) (see s3-user-script help run)");
  CHECK(ErrorFor({"get", "s3://bkt/k", "--sha256", "abcd"}) ==
        "s3-user-script: error: get: --sha256: 'abcd' is not a SHA-256 (64 hexadecimal digits) "
        "(see s3-user-script help get)");
  CHECK(ErrorFor({"run", "--state-dir"}) ==
        "s3-user-script: error: run: --state-dir needs a value (see s3-user-script help run)");
  // It said "--deadline needs a value".
  CHECK(ErrorFor({"plan", "--deadline", "20", "--deadline", "4"}) ==
        "s3-user-script: error: plan: --deadline is given more than once (see s3-user-script "
        "help plan)");
  CHECK(ErrorFor({"replay"}) ==
        "s3-user-script: error: replay: FILE is missing (see s3-user-script help replay)");
}

TEST_CASE("a mistyped command or flag gets the nearest name") {
  CHECK(ErrorFor({"pln", "f"}) ==
        "s3-user-script: error: unknown command 'pln'; did you mean plan?");
  CHECK(ErrorFor({"plan", "--jsn"}) ==
        "s3-user-script: error: plan: unknown option --jsn; did you mean --json? (see "
        "s3-user-script help plan)");
  CHECK(ErrorFor({"--deadline", "5", "plan", "f"}) ==
        "s3-user-script: error: plan: --deadline goes after the command: s3-user-script plan "
        "--deadline ... (see s3-user-script help plan)");
  CHECK(ErrorFor({"frobnicate"})
            .rfind("s3-user-script: error: unknown command 'frobnicate'; commands: run, plan, ",
                   0) == 0);
  CHECK(ErrorFor({"help", "pln"}) ==
        "s3-user-script: error: help: unknown command 'pln'; did you mean plan?");
  CHECK(NearestName("--dry-rn", {"--dry-run", "--json"}) == "--dry-run");
  CHECK(NearestName("stat", {"run", "status"}) == "status");
  CHECK(NearestName("zzzzzz", {"run", "status"}).empty());
}

TEST_CASE("help COMMAND is COMMAND --help, and only the top level shows the predecessor's note") {
  ParsedCommandLine top = ParseCommandLine({"s3-user-script", "help"});
  CHECK(top.exit_code == kExitOk);
  CHECK(top.output.find("Predecessor's interface: s3-user-script -b BUCKET") != std::string::npos);
  ParsedCommandLine plan = ParseCommandLine({"s3-user-script", "help", "plan"});
  CHECK(plan.exit_code == kExitOk);
  CHECK(plan.output.find("Usage: s3-user-script plan") != std::string::npos);
  CHECK(plan.output.find("Predecessor's interface: s3-user-script -b") == std::string::npos);
  CHECK(plan.output.find("Exit codes: 0 all ran") != std::string::npos);
  CHECK(plan.output.find("--deadline SECONDS=300") != std::string::npos);
  CHECK(plan.output.find("--max-total-bytes SIZE=256M") != std::string::npos);
}

TEST_CASE("sizes take binary units") {
  CHECK(*ParseByteSize("512") == 512u);
  CHECK(*ParseByteSize("64M") == 64u << 20);
  CHECK(*ParseByteSize("1GiB") == 1u << 30);
  CHECK(*ParseByteSize("2kb") == 2048u);
  CHECK(*ParseByteSize("1048576G") == kMaxByteSize);
  CHECK_FALSE(ParseByteSize("12Q").ok());
  CHECK_FALSE(ParseByteSize("M").ok());
  CHECK_FALSE(ParseByteSize("1kk").ok());
}

TEST_CASE("a size that does not fit is a usage error, not a wrapped number") {
  // 17179869184G is 2^64 bytes: it was 0 B, and one more G was 1 GiB.
  for (const char* big : {"17179869184G", "17179869185G", "1048577G", "99999999999999999999999"}) {
    Result<uint64_t> parsed = ParseByteSize(big);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().message() ==
          "'" + std::string(big) + "' is over the largest size, 1048576G (1 PiB)");
  }
  CHECK(ErrorFor({"plan", "--max-total-bytes", "17179869184G"}) ==
        "s3-user-script: error: plan: --max-total-bytes: '17179869184G' is over the largest "
        "size, 1048576G (1 PiB) (see s3-user-script help plan)");
}

TEST_CASE("a size limit of 0 is a usage error for every size flag") {
  // --max-total-bytes 0 refused everything; --max-object-size 0 turned the limit off.
  for (const char* flag : {"--max-total-bytes", "--max-object-size"}) {
    for (const char* zero : {"0", "0K", "000G"}) {
      CHECK(ErrorFor({"plan", flag, zero}) == "s3-user-script: error: plan: " + std::string(flag) +
                                                  ": '" + zero +
                                                  "' is no size limit: the least is 1 byte (a "
                                                  "limit cannot be turned off) (see "
                                                  "s3-user-script help plan)");
    }
  }
}

TEST_CASE("an empty value is a usage error, in either spelling, for every option") {
  // --state-dir '' was the default state dir (or a temp one); --state-dir= took the next word;
  // --allowed-signers '' turned signature checks off; replay '' read IMDS's user data.
  auto empty = [](const std::string& command, const std::string& name) {
    return "s3-user-script: error: " + command + ": " + name +
           " is empty: an empty value is never the default (see s3-user-script help " + command +
           ")";
  };
  CHECK(ErrorFor({"replay", "--state-dir", "", "f"}) == empty("replay", "--state-dir"));
  CHECK(ErrorFor({"status", "--state-dir", ""}) == empty("status", "--state-dir"));
  CHECK(ErrorFor({"run", "--cloud-config-dir", ""}) == empty("run", "--cloud-config-dir"));
  CHECK(ErrorFor({"run", "--user-data", ""}) == empty("run", "--user-data"));
  CHECK(ErrorFor({"run", "--allowed-signers", ""}) == empty("run", "--allowed-signers"));
  CHECK(ErrorFor({"plan", "f", "--allowed-signers", ""}) == empty("plan", "--allowed-signers"));
  CHECK(ErrorFor({"get", "s3://bkt/k", "-o", "-", "--allowed-signers", ""}) ==
        empty("get", "--allowed-signers"));
  CHECK(ErrorFor({"get", "s3://bkt/k", "-o", "-", "--version-id", ""}) ==
        empty("get", "--version-id"));
  CHECK(ErrorFor({"verify", "f", "--allowed-signers", "a", "--principal", ""}) ==
        empty("verify", "--principal"));
  for (const char* command : {"replay", "plan", "resolve", "validate"}) {
    CHECK(ErrorFor({command, ""}) == empty(command, "FILE"));
  }
  CHECK(ErrorFor({"get", ""}) == empty("get", "URL"));
  CHECK(ErrorFor({"-b", "bkt", "-k", ""}) ==
        "s3-user-script: error: --key is empty: an empty value is never the default (see "
        "s3-user-script help)");
  CHECK(ErrorFor({"replay", "--state-dir=", "f", "-q"}) ==
        "s3-user-script: error: replay: --state-dir: nothing after '=' (give --state-dir VALUE) "
        "(see s3-user-script help replay)");
  CHECK(ErrorFor({"--region=", "plan"}) ==
        "s3-user-script: error: --region: nothing after '=' (give --region VALUE) (see "
        "s3-user-script help)");
  // After "--" it is an argument.
  CHECK(ParseCommandLine({"s3-user-script", "replay", "--", "--x="}).options->input == "--x=");
}

TEST_CASE("an option where a command's option needs its value is a usage error") {
  // `plan f --region --json` printed the text plan and signed for the region "--json".
  CHECK(ErrorFor({"plan", "f", "--region", "--json"}) ==
        "s3-user-script: error: plan: --region needs a value, not the option --json (write "
        "--region=--json for a value that starts with '-') (see s3-user-script help plan)");
  CHECK(ErrorFor({"get", "s3://bkt/k", "-o", "-x"}) ==
        "s3-user-script: error: get: -o needs a value, not the option -x (write --output=-x for "
        "a value that starts with '-') (see s3-user-script help get)");
  // '-' alone is stdin or stdout; `=` gives a value that starts with '-' on purpose.
  CHECK(ParseCommandLine({"s3-user-script", "get", "s3://bkt/k", "-o", "-"}).options->output ==
        "-");
  CHECK(ParseCommandLine({"s3-user-script", "status", "--state-dir=-d"}).options->state_dir ==
        "-d");
}

TEST_CASE("get's own checks name the command and its help, as CLI11's errors do") {
  CHECK(ErrorFor({"get", "s3://bkt/a", "s3://bkt/b", "-o", "x"}) ==
        "s3-user-script: error: get: -o names one file; use -d DIR for several URLs (see "
        "s3-user-script help get)");
  CHECK(ErrorFor({"get", "s3://bkt/a", "-o", "x", "--mode", "04755"}) ==
        "s3-user-script: error: get: --mode: '04755' is not a file mode from 0 to 0777 in octal "
        "(no setuid, setgid or sticky bit) (see s3-user-script help get)");
}

TEST_CASE("'-' is no state or cloud-config directory") {
  // `replay f --state-dir -` made a directory "-" in the current one.
  CHECK(ErrorFor({"replay", "f", "--state-dir", "-"}) ==
        "s3-user-script: error: --state-dir -: '-' names no directory (write ./- for one named "
        "-)");
  CHECK(ErrorFor({"run", "--cloud-config-dir", "-"}) ==
        "s3-user-script: error: --cloud-config-dir -: '-' names no directory (write ./- for one "
        "named -)");
}

TEST_CASE("a value given to a flag says the flag takes none, also when it is empty") {
  CHECK(ErrorFor({"plan", "--json="}) ==
        "s3-user-script: error: plan: --json takes no value (give --json alone) (see "
        "s3-user-script help plan)");
}

TEST_CASE("after -- every word is an argument, and -- itself is never the mistake") {
  // It said "unknown option --; did you mean -h?".
  CHECK(ErrorFor({"replay", "--", "f", "-q"}) ==
        "s3-user-script: error: replay: unexpected argument '-q' after -- (see s3-user-script "
        "help replay)");
  CHECK(ErrorFor({"replay", "--", "f", "extra"}) ==
        "s3-user-script: error: replay: unexpected argument 'extra' after -- (see "
        "s3-user-script help replay)");
  // It said "-q goes after the command".
  CHECK(ErrorFor({"replay", "f", "--", "-q"}) ==
        "s3-user-script: error: replay: unexpected argument '-q' after -- (see s3-user-script "
        "help replay)");
  // An option before -- is still one.
  CHECK(ErrorFor({"replay", "--bogus", "--", "f"}) ==
        "s3-user-script: error: replay: unknown option --bogus (see s3-user-script help "
        "replay)");
}

TEST_CASE("a usage error says whether --json was asked for") {
  ParsedCommandLine asked =
      ParseCommandLine({"s3-user-script", "plan", "--json", "--max-parallel", "0"});
  CHECK(asked.exit_code == kExitUsage);
  CHECK(asked.json);
  CHECK(asked.error ==
        "plan: --max-parallel: '0' is not a whole number of objects from 1 to 512 (see "
        "s3-user-script help plan)");
  CHECK_FALSE(ParseCommandLine({"s3-user-script", "plan", "--max-parallel", "0"}).json);
  CHECK_FALSE(ParseCommandLine({"s3-user-script", "replay", "f", "--", "--json", "x"}).json);
}

TEST_CASE("bad numbers and values given to flags are one line naming the flag") {
  // CLI11 said "Value -1 not in range 0.000000 to 1797693134862315708...", "Could not
  // convert: --launch-index = 1.5", "Could not convert: --json = maybe".
  for (const char* bad : {"-1", "abc", "1.5", "99999999999", "2147483648"}) {
    CHECK(ErrorFor({"replay", "f", "--launch-index", bad}) ==
          "s3-user-script: error: replay: --launch-index: '" + std::string(bad) +
              "' is not a whole number from 0 to 2147483647 (see s3-user-script help replay)");
  }
  CHECK(ParseCommandLine({"s3-user-script", "replay", "f", "--launch-index", "2147483647"})
            .options->launch_index == 2147483647);
  CHECK(ErrorFor({"validate", "f", "--json=maybe"}) ==
        "s3-user-script: error: validate: --json takes no value (give --json alone) (see "
        "s3-user-script help validate)");
  CHECK(ErrorFor({"run", "--dry-run=yes-please"}) ==
        "s3-user-script: error: run: --dry-run takes no value (give --dry-run alone) (see "
        "s3-user-script help run)");
}

TEST_CASE("bad --region and --endpoint-url values are usage errors naming the flag") {
  // They were exit 3, "reading AWS configuration: invalid override 'bad_region': ...".
  CHECK(ErrorFor({"plan", "f", "--region", "bad_region"}) ==
        "s3-user-script: error: plan: --region: 'bad_region' is not a region name (a region has "
        "only a-z, 0-9 and '-') (see s3-user-script help plan)");
  CHECK(ErrorFor({"get", "s3://bkt/k", "--endpoint-url", "ftp://x"}) ==
        "s3-user-script: error: get: --endpoint-url: 'ftp://x' is not an endpoint URL (expected "
        "an http:// or https:// URL) (see s3-user-script help get)");
  CHECK(ErrorFor({"resolve", "f", "--endpoint-url", "http://"}) ==
        "s3-user-script: error: resolve: --endpoint-url: 'http://' is not an endpoint URL "
        "(expected http(s)://host[:port]) (see s3-user-script help resolve)");
  // The password of a URL with user info is not repeated.
  CHECK(ErrorFor({"plan", "f", "--endpoint-url", "https://me:hunter2@host"}).find("hunter2") ==
        std::string::npos);
  CHECK(ErrorFor({"-b", "bkt", "-u=ftp://x"}) ==
        "s3-user-script: error: --url: 'ftp://x' is not an endpoint URL (expected an http:// or "
        "https:// URL) (see s3-user-script help)");
  auto good = ParseCommandLine(
      {"s3-user-script", "plan", "f", "--region", "eu-west-1", "--endpoint-url", "http://h:1/"});
  REQUIRE(good.options);
  CHECK(good.options->region == "eu-west-1");
}

// The flags of `help_text` (a CLI11 --help): names and whether each takes a value.
struct FlagSpec {
  std::vector<std::string> names;
  bool takes_value = false;
};
std::vector<FlagSpec> FlagsIn(const std::string& help_text) {
  std::vector<FlagSpec> flags;
  std::istringstream in(help_text.substr(help_text.find("Options:")));
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line) && !line.empty()) {
    if (line.rfind("  -", 0) != 0) continue;  // a description's own line
    std::istringstream words(line);
    std::string names, type;
    words >> names >> type;
    FlagSpec flag;
    for (size_t at = 0; at <= names.size();) {
      size_t comma = std::min(names.find(',', at), names.size());
      flag.names.push_back(names.substr(at, comma - at));
      at = comma + 1;
    }
    // "--deadline SECONDS=300 ..." against "--json      Print ...".
    flag.takes_value = !type.empty() && std::isupper(static_cast<unsigned char>(type[0])) &&
                       line.find(names + " " + type) != std::string::npos;
    if (flag.names.front() != "-h") flags.push_back(flag);
  }
  return flags;
}

TEST_CASE("no flag of any command, given a bad value, shows CLI11's own wording") {
  const std::map<std::string, std::vector<std::string>> positionals = {
      {"", {}},           {"run", {}},         {"plan", {"f"}}, {"replay", {"f"}},
      {"resolve", {"f"}}, {"validate", {"f"}}, {"status", {}},  {"get", {"s3://bkt/k"}},
      {"sign", {"f"}},    {"verify", {"f"}}};
  std::vector<std::string> commands{""};
  std::string top = ParseCommandLine({"s3-user-script", "--help"}).output;
  std::istringstream list(top.substr(top.find("Subcommands:")));
  for (std::string line; std::getline(list, line);) {
    if (line.rfind("  ", 0) == 0 && line[2] != ' ') {
      std::string name = line.substr(2, line.find(' ', 2) - 2);
      if (name != "help") commands.push_back(name);
    }
  }
  REQUIRE(commands.size() == positionals.size());
  const std::vector<std::string> bad_values = {
      "-1", "1.5", "abc", "", "99999999999999999999", "4294967296", "1e3", " 5", "0x10", "-"};
  const std::vector<std::string> cli11_words = {
      "Could not convert", "not in range",     "0.000000",     "Value ",
      "[Option",           "ArgumentMismatch", "which is not", "Validation"};
  size_t tried = 0, refused = 0;
  for (const std::string& command : commands) {
    std::vector<std::string> help_args{"s3-user-script"};
    if (!command.empty()) help_args.push_back(command);
    help_args.push_back("--help");
    std::vector<FlagSpec> flags = FlagsIn(ParseCommandLine(help_args).output);
    REQUIRE_FALSE(flags.empty());
    for (const FlagSpec& flag : flags) {
      std::vector<std::vector<std::string>> trials;
      for (const std::string& name : flag.names) {
        bool is_long = name.rfind("--", 0) == 0;
        if (flag.takes_value) {
          for (const std::string& v : bad_values) {
            trials.push_back({name, v});
            if (is_long) trials.push_back({name + "=" + v});
          }
        } else if (is_long) {
          for (const char* v : {"maybe", "1", "true", "yes-please"})
            trials.push_back({name + "=" + v});
        }
      }
      for (std::vector<std::string> trial : trials) {
        trial.insert(trial.begin(), "s3-user-script");
        if (!command.empty()) trial.insert(trial.begin() + 1, command);
        for (const std::string& p : positionals.at(command)) trial.push_back(p);
        std::string shown;
        for (const std::string& w : trial) shown += "[" + w + "]";
        INFO(shown);
        ParsedCommandLine r = ParseCommandLine(trial);
        ++tried;
        if (r.options) continue;  // a value the flag takes (a name, a path)
        ++refused;
        CHECK(r.exit_code == kExitUsage);
        CHECK(r.output.rfind("s3-user-script: error: ", 0) == 0);
        CHECK(r.output.find('\n') == std::string::npos);
        for (const std::string& word : cli11_words) CHECK(r.output.find(word) == std::string::npos);
      }
    }
  }
  CHECK(tried > 1000);
  CHECK(refused > 500);
}

}  // namespace
}  // namespace s3us::cli

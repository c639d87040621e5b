#include "cli/usage_errors.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdint>
#include <optional>
#include <sstream>

#include "aws/aws_config.h"
#include "core/secret.h"
#include "core/strings.h"

namespace s3us::cli {
namespace {

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The innermost command that was being parsed, or `app` itself.
const CLI::App& ActiveCommand(const CLI::App& app) {
  for (const CLI::App* sub : app.get_subcommands({})) {
    if (sub->parsed() > 0) return ActiveCommand(*sub);
  }
  return app;
}

std::vector<std::string> LongFlags(const CLI::App& command) {
  std::vector<std::string> flags;
  for (const CLI::Option* opt : command.get_options()) {
    for (const std::string& name : opt->get_lnames()) flags.push_back("--" + name);
    for (const std::string& name : opt->get_snames()) flags.push_back("-" + name);
  }
  return flags;
}

std::string Where(const CLI::App& command) {
  return command.get_parent() == nullptr ? "" : command.get_name() + ": ";
}

std::string HelpHint(const CLI::App& command) {
  return command.get_parent() == nullptr ? " (see s3-user-script help)"
                                         : " (see s3-user-script help " + command.get_name() + ")";
}

// "The following arguments were not expected: b a" → {"a", "b"} (CLI11 lists them reversed).
std::vector<std::string> Extras(const std::string& what) {
  std::vector<std::string> words;
  std::istringstream in(what.substr(what.find(": ") + 2));
  for (std::string w; in >> w;) words.push_back(w);
  std::reverse(words.begin(), words.end());
  return words;
}

// The words after the first "--": arguments, whatever they look like.
std::vector<std::string> AfterSeparator(const std::vector<std::string>& words) {
  auto separator = std::find(words.begin(), words.end(), "--");
  if (separator == words.end()) return {};
  return std::vector<std::string>(separator + 1, words.end());
}

// The first extra word that was given as an option: not "--" itself, not after it.
std::vector<std::string>::const_iterator FirstFlag(const std::vector<std::string>& extras,
                                                   const std::vector<std::string>& arguments) {
  return std::find_if(extras.begin(), extras.end(), [&](const std::string& w) {
    return w.size() > 1 && w[0] == '-' && w != "--" &&
           std::find(arguments.begin(), arguments.end(), w) == arguments.end();
  });
}

std::string DescribeUnknownFlag(const std::string& word, const CLI::App& command,
                                const CLI::App& app) {
  std::string name = word.substr(0, word.find('='));
  std::vector<std::string> flags = LongFlags(command);
  if (&command != &app && std::find(flags.begin(), flags.end(), name) != flags.end()) {
    // `s3-user-script --deadline 5 plan`: the command's own option, given before it.
    return Where(command) + name + " goes after the command: s3-user-script " + command.get_name() +
           " " + name + " ..." + HelpHint(command);
  }
  std::string line = Where(command) + "unknown option " + name;
  std::string near = NearestName(name, flags);
  return line + (near.empty() ? "" : "; did you mean " + near + "?") + HelpHint(command);
}

std::string DescribeExtras(const std::string& what, const CLI::App& app,
                           const std::vector<std::string>& words) {
  const CLI::App& command = ActiveCommand(app);
  std::vector<std::string> extras = Extras(what);
  std::vector<std::string> arguments = AfterSeparator(words);
  auto flag = FirstFlag(extras, arguments);
  if (flag != extras.end()) return DescribeUnknownFlag(*flag, command, app);
  extras.erase(std::remove(extras.begin(), extras.end(), "--"), extras.end());
  const std::string& word = extras.empty() ? what : extras.front();
  if (&command == &app) {
    std::string near = NearestName(word, CommandNames(app));
    std::string line = "unknown command '" + word + "'";
    if (!near.empty()) return line + "; did you mean " + near + "?";
    std::string all;
    for (const std::string& name : CommandNames(app)) all += (all.empty() ? "" : ", ") + name;
    return line + "; commands: " + all;
  }
  bool after = std::find(arguments.begin(), arguments.end(), word) != arguments.end();
  return Where(command) + "unexpected argument '" + word + "'" + (after ? " after --" : "") +
         HelpHint(command);
}

// "file is required" → "replay: FILE is missing"; "--key is required" → "sign: --key is missing".
std::string DescribeRequired(const std::string& what, const CLI::App& app) {
  const CLI::App& command = ActiveCommand(app);
  std::string name = what.substr(0, what.find(" is required"));
  if (!name.empty() && name[0] != '-') {
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  }
  return Where(command) + name + " is missing" + HelpHint(command);
}

CLI::Validator Check(std::string description, std::function<bool(const std::string&)> ok,
                     std::string accepted) {
  return CLI::Validator(
      [ok = std::move(ok), accepted = std::move(accepted)](std::string& value) -> std::string {
        return ok(value) ? std::string() : "'" + value + "' is not " + accepted;
      },
      std::move(description));
}

// "", "k", "KiB", "mb", ... → the power of 1024 the unit stands for; nullopt for no unit we know.
std::optional<int> UnitPower(std::string_view text) {
  std::string unit = ToLower(text);
  if (!unit.empty() && unit.back() == 'b') unit.pop_back();
  if (!unit.empty() && unit.back() == 'i') unit.pop_back();
  if (unit.empty()) return 0;
  static const std::string kUnits = "kmg";  // binary multiples, as CLI11's AsSizeValue(false)
  size_t at = unit.size() == 1 ? kUnits.find(unit) : std::string::npos;
  if (at == std::string::npos) return std::nullopt;
  return static_cast<int>(at) + 1;
}

}  // namespace

std::string NearestName(const std::string& typed, const std::vector<std::string>& known) {
  std::string best;
  size_t best_distance = 3;  // at most 2 edits
  for (const std::string& name : known) {
    size_t d = EditDistance(typed, name);
    bool prefix = typed.size() >= 3 && name.rfind(typed, 0) == 0;
    if (prefix) d = std::min<size_t>(d, 1);
    if (d < best_distance && d < std::max<size_t>(typed.size(), 2)) {
      best = name;
      best_distance = d;
    }
  }
  return best;
}

std::vector<std::string> CommandNames(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
  return names;
}

std::string DescribeParseError(const CLI::ParseError& e, const CLI::App& app,
                               const std::vector<std::string>& words) {
  std::string what = e.what();
  if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    return DescribeExtras(what, app, words);
  }
  if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr) return DescribeRequired(what, app);
  const CLI::App& command = ActiveCommand(app);
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) != nullptr &&
      what.find(" required ") != std::string::npos) {
    // CLI11's "At Most 1 required but received 2" is an option given twice, not too few.
    bool twice = what.find(": At Most ") != std::string::npos;
    return Where(command) + what.substr(0, what.find(':')) +
           (twice ? " is given more than once" : " needs a value") + HelpHint(command);
  }
  return Where(command) + what + HelpHint(command);
}

std::optional<std::string> DescribeBadAssignment(const std::vector<std::string>& words,
                                                 const CLI::App& app) {
  const CLI::App* command = &app;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (word == "--") break;
    for (const CLI::App* sub : app.get_subcommands({})) {
      if (command == &app && sub->get_name() == word) command = sub;
    }
    if (word.size() < 2 || word[0] != '-') continue;
    size_t equals = word.find('=');
    std::string name = word.substr(0, equals);
    const CLI::Option* opt = command->get_option_no_throw(name);
    if (equals == std::string::npos) {
      // `--region --json`: the next word is an option, not the value the flag needs (as
      // argparse, so the AWS CLI, reads it; a negative number is a value the flag's own check
      // refuses); `--region=-x` gives such a value on purpose. The predecessor's flags (before
      // any command) take their next word whatever it is.
      const std::string next = i + 1 < words.size() ? words[i + 1] : std::string();
      if (command != &app && opt != nullptr && opt->get_expected_max() > 0 && next.size() > 1 &&
          next[0] == '-' && !std::isdigit(static_cast<unsigned char>(next[1]))) {
        return Where(*command) + name + " needs a value, not the option " + next + " (write " +
               opt->get_name() + "=" + next + " for a value that starts with '-')" +
               HelpHint(*command);
      }
      continue;
    }
    if (word.rfind("--", 0) != 0) continue;
    if (opt != nullptr && opt->get_expected_max() == 0) {
      return Where(*command) + name + " takes no value (give " + name + " alone)" +
             HelpHint(*command);
    }
    if (equals + 1 == word.size()) {
      return Where(*command) + name + ": nothing after '=' (give " + name + " VALUE)" +
             HelpHint(*command);
    }
  }
  return std::nullopt;
}

std::optional<std::string> DescribeEmptyValue(const CLI::App& app) {
  for (const CLI::App* command = &app; command != nullptr;) {
    for (const CLI::Option* opt : command->get_options()) {
      const std::vector<std::string>& given = opt->results();
      if (opt->get_expected_max() == 0 ||
          std::none_of(given.begin(), given.end(),
                       [](const std::string& v) { return v.empty(); })) {
        continue;
      }
      std::string name = opt->get_name();
      if (opt->get_lnames().empty() && opt->get_snames().empty()) {
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
      }
      return Where(*command) + name + " is empty: an empty value is never the default" +
             HelpHint(*command);
    }
    const CLI::App* next = nullptr;
    for (const CLI::App* sub : command->get_subcommands({})) {
      if (sub->parsed() > 0) next = sub;
    }
    command = next;
  }
  return std::nullopt;
}

CLI::Validator WholeNumber(long long lo, long long hi, const std::string& what) {
  std::string accepted = "a whole number " + (what.empty() ? "" : "of " + what + " ") + "from " +
                         std::to_string(lo) +
                         (hi == LLONG_MAX ? " up" : " to " + std::to_string(hi));
  return Check(
      "",
      [lo, hi](const std::string& v) {
        if (v.empty() || v.size() > 18) return false;
        for (char c : v) {
          if (!std::isdigit(static_cast<unsigned char>(c))) return false;
        }
        long long n = std::stoll(v);
        return n >= lo && n <= hi;
      },
      accepted);
}

CLI::Validator ByteSize() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        Result<uint64_t> bytes = ParseByteSize(value);
        if (!bytes.ok()) return bytes.error().message();
        value = std::to_string(*bytes);
        return "";
      },
      "");
}

Result<uint64_t> ParseByteSize(const std::string& text) {
  auto bad = [&text](const std::string& why) {
    return Error(ErrorCode::kInvalidInput, "'" + text + "' " + why);
  };
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  std::optional<int> power = UnitPower(std::string_view(text).substr(digits));
  if (digits == 0 || !power) return bad("is not a size (bytes, or with a unit: 512K, 64M, 1G)");
  // Bounded before the shift, which would wrap (17179869184G was 0 B).
  uint64_t n = 0;
  for (size_t i = 0; i < digits && n <= kMaxByteSize; ++i) {
    n = n * 10 + static_cast<uint64_t>(text[i] - '0');
  }
  if (n > (kMaxByteSize >> (10 * *power))) return bad("is over the largest size, 1048576G (1 PiB)");
  if (n == 0) return bad("is no size limit: the least is 1 byte (a limit cannot be turned off)");
  return n << (10 * *power);
}

CLI::Validator Sha256Hex() {
  return Check(
      "",
      [](const std::string& v) {
        return v.size() == 64 && std::all_of(v.begin(), v.end(),
                                             [](unsigned char c) { return std::isxdigit(c) != 0; });
      },
      "a SHA-256 (64 hexadecimal digits)");
}

CLI::Validator RegionName() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        Status ok = value.empty() ? Ok() : aws::CheckRegion(value);
        return ok.ok() ? "" : "'" + value + "' is not a region name (" + ok.error().message() + ")";
      },
      "");
}

CLI::Validator EndpointUrl() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        Status ok = value.empty() ? Ok() : aws::CheckEndpointUrl(value);
        if (ok.ok()) return "";
        return "'" + RedactUrl(value) + "' is not an endpoint URL (" + ok.error().message() + ")";
      },
      "");
}

}  // namespace s3us::cli

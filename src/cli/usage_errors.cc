#include "cli/usage_errors.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdint>
#include <optional>
#include <sstream>

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

std::string DescribeExtras(const std::string& what, const CLI::App& app) {
  const CLI::App& command = ActiveCommand(app);
  std::vector<std::string> extras = Extras(what);
  auto flag = std::find_if(extras.begin(), extras.end(),
                           [](const std::string& w) { return w.size() > 1 && w[0] == '-'; });
  if (flag != extras.end()) {
    std::string name = flag->substr(0, flag->find('='));
    std::vector<std::string> flags = LongFlags(command);
    if (&command != &app && std::find(flags.begin(), flags.end(), name) != flags.end()) {
      // `s3-user-script --deadline 5 plan`: the command's own option, given before it.
      return Where(command) + name + " goes after the command: s3-user-script " +
             command.get_name() + " " + name + " ..." + HelpHint(command);
    }
    std::string line = Where(command) + "unknown option " + name;
    std::string near = NearestName(name, flags);
    return line + (near.empty() ? "" : "; did you mean " + near + "?") + HelpHint(command);
  }
  const std::string& word = extras.empty() ? what : extras.front();
  if (&command == &app) {
    std::string near = NearestName(word, CommandNames(app));
    std::string line = "unknown command '" + word + "'";
    if (!near.empty()) return line + "; did you mean " + near + "?";
    std::string all;
    for (const std::string& name : CommandNames(app)) all += (all.empty() ? "" : ", ") + name;
    return line + "; commands: " + all;
  }
  return Where(command) + "unexpected argument '" + word + "'" + HelpHint(command);
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
  names.push_back("help");
  return names;
}

std::string DescribeParseError(const CLI::ParseError& e, const CLI::App& app) {
  std::string what = e.what();
  if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) return DescribeExtras(what, app);
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

CLI::Validator WholeNumber(long long lo, long long hi, const std::string& what) {
  std::string accepted = "a whole number of " + what + " from " + std::to_string(lo) +
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
        std::optional<uint64_t> bytes = ParseByteSize(value);
        if (!bytes) return "'" + value + "' is not a size (bytes, or with a unit: 512K, 64M, 1G)";
        value = std::to_string(*bytes);
        return "";
      },
      "");
}

std::optional<uint64_t> ParseByteSize(const std::string& text) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || digits > 15) return std::nullopt;
  std::string unit = text.substr(digits);
  std::transform(unit.begin(), unit.end(), unit.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (!unit.empty() && unit.back() == 'b') unit.pop_back();
  if (!unit.empty() && unit.back() == 'i') unit.pop_back();
  static const std::string kUnits = "kmg";  // binary multiples, as CLI11's AsSizeValue(false)
  uint64_t n = std::stoull(text.substr(0, digits));
  if (unit.empty()) return n;
  size_t power = kUnits.find(unit);
  if (unit.size() != 1 || power == std::string::npos) return std::nullopt;
  return n << (10 * (power + 1));
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

}  // namespace s3us::cli

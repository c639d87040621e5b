#include "userdata/pyyaml_resolve.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <regex>
#include <string_view>

#include "userdata/py_text.h"

namespace s3us::userdata {
namespace {

// The implicit resolvers of PyYAML 6.0's resolver.py, tried in its order. Compiled on first
// use, not at start-up: only a few plain scalars need them.
struct Resolvers {
  std::regex bool_{"yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF"};
  std::regex float_{
      "[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?|\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
      "|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN)"};
  std::regex int_{
      "[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+"
      "|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+"};
  std::regex date_only{"([0-9]{4})-([0-9]{2})-([0-9]{2})"};
  std::regex timestamp{
      "([0-9]{4})-([0-9][0-9]?)-([0-9][0-9]?)(?:[Tt]|[ \\t]+)([0-9][0-9]?):([0-9]{2}):([0-9]{2})"
      "(?:\\.[0-9]*)?(?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9]{2})?))?"};
};

const Resolvers& TheResolvers() {
  static const Resolvers* resolvers = new Resolvers();
  return *resolvers;
}

enum class Kind { kBool, kFloat, kInt, kMerge, kNull, kTimestamp, kValue, kStr, kUnsure };

// std::regex recurses once a character or so: a longer scalar is not given to it.
constexpr size_t kRegexBytes = 256;

// A long plain scalar: an int when all decimal (or octal after a 0), a str when it has a
// character no number or timestamp has; otherwise unknown.
Kind LongKind(const std::string& s) {
  if (std::string_view("-+0123456789.").find(s[0]) == std::string_view::npos) return Kind::kStr;
  size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (i < s.size() && s.find_first_not_of("0123456789_", i) == std::string::npos &&
      (s[i] != '0' || s.find_first_not_of("01234567_", i) == std::string::npos)) {
    return Kind::kInt;
  }
  if (s.find_first_not_of("0123456789_-+.:eEbxXabcdefABCDEFnNiItTZ \t") != std::string::npos) {
    return Kind::kStr;
  }
  return Kind::kUnsure;
}

// A decimal int as launch-index values are written (0, 12, -3): an int to the resolvers,
// told without compiling them (milliseconds, most of a dry run's cost).
bool IsPlainDecimal(const std::string& s) {
  size_t i = !s.empty() && (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (i == s.size()) return false;
  if (s[i] == '0') return i + 1 == s.size();
  return s.find_first_not_of("0123456789", i) == std::string::npos;
}

// The tag SafeLoader's resolver gives a plain scalar (first characters as resolver.py keys
// them).
Kind Resolve(const std::string& s) {
  if (s.size() > kRegexBytes) return LongKind(s);
  if (IsPlainDecimal(s)) return Kind::kInt;
  char c = s.empty() ? '\0' : s[0];
  auto is = [&](std::string_view firsts) { return firsts.find(c) != std::string_view::npos; };
  const Resolvers& r = TheResolvers();
  if (is("yYnNtTfFoO") && std::regex_match(s, r.bool_)) return Kind::kBool;
  if (is("-+0123456789.") && std::regex_match(s, r.float_)) return Kind::kFloat;
  if (is("-+0123456789") && std::regex_match(s, r.int_)) return Kind::kInt;
  if (s == "<<") return Kind::kMerge;
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return Kind::kNull;
  if (is("0123456789") && (std::regex_match(s, r.date_only) || std::regex_match(s, r.timestamp))) {
    return Kind::kTimestamp;
  }
  if (s == "=") return Kind::kValue;
  return Kind::kStr;
}

// `what` we cannot read exactly as SafeLoader does (a scalar shown by its start).
Error Unsure(const std::string& what, const std::string& scalar) {
  std::string shown = scalar.size() > 24 ? scalar.substr(0, 24) + "..." : scalar;
  return Error(ErrorCode::kInvalidInput, "a cloud-config that names launch-index has " + what +
                                             " (" + shown +
                                             "): which instances it is for is unknown");
}

// construct_yaml_int: sign, underscores dropped, 0b / 0x / 0 (octal) / sexagesimal / decimal.
// nullopt when there are no digits (int('', 2) raises).
Result<std::optional<std::string>> IntOf(std::string s) {
  std::erase(s, '_');
  bool negative = s[0] == '-';
  if (s[0] == '-' || s[0] == '+') s.erase(0, 1);
  if (s.find(':') == std::string::npos && (s.size() < 2 || s[0] != '0')) {
    return PyIntString((negative ? "-" : "") + s);
  }
  int base = s.starts_with("0b") ? 2 : s.starts_with("0x") ? 16 : s[0] == '0' ? 8 : 60;
  std::string_view digits(s);
  if (base == 2 || base == 16) digits.remove_prefix(2);
  if (digits.empty()) return std::optional<std::string>();
  uint64_t value = 0;
  for (size_t at = 0; at < digits.size();) {
    uint64_t digit = 0;
    size_t n = 1;
    if (base == 60) {
      n = std::min(digits.find(':', at), digits.size()) - at;
      std::from_chars(digits.data() + at, digits.data() + at + n, digit);
      n += at + n < digits.size() ? 1 : 0;
    } else {
      std::from_chars(digits.data() + at, digits.data() + at + 1, digit, base);
    }
    if (value > (UINT64_MAX - digit) / base) return Unsure("an int out of 64-bit range", s);
    value = value * base + digit;
    at += n;
  }
  if (value == 0) return std::optional<std::string>("0");
  return std::optional<std::string>((negative ? "-" : "") + std::to_string(value));
}

// construct_yaml_float, then int(): truncated; nullopt for NaN.
Result<std::optional<std::string>> FloatOf(std::string s) {
  std::erase(s, '_');
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (s.ends_with(".nan")) return std::optional<std::string>();
  if (s.ends_with(".inf") || s.find(':') != std::string::npos) {
    return Unsure("an infinite or sexagesimal float", s);
  }
  double x = 0;
  auto [end, ec] = std::from_chars(s.data() + (s[0] == '+' ? 1 : 0), s.data() + s.size(), x);
  if (ec != std::errc() || end != s.data() + s.size() || !(std::fabs(x) < 9.0e18)) {
    return Unsure("a float out of 64-bit range", s);
  }
  return std::optional<std::string>(std::to_string(static_cast<int64_t>(x)));
}

bool ValidDate(int y, int m, int d) {
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > kDays[m - 1]) return false;
  return m != 2 || d < 29 || (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
}

// construct_yaml_timestamp raises on a date or time that does not exist.
bool TimestampConstructs(const std::string& s) {
  std::smatch m;
  const Resolvers& r = TheResolvers();
  if (!std::regex_match(s, m, r.date_only)) std::regex_match(s, m, r.timestamp);
  if (!ValidDate(std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3]))) return false;
  return m.size() < 5 || (std::stoi(m[4]) < 24 && std::stoi(m[5]) < 60 && std::stoi(m[6]) < 60);
}

// str(int(s)) of a str.
Result<std::optional<std::string>> StrIntOf(const std::string& s) {
  if (PyIntUnknown(s)) return Unsure("a value with characters int() may read as digits", s);
  return PyIntString(s);
}

}  // namespace

Result<std::optional<std::string>> PyYamlIntOf(const std::string& s, bool resolved) {
  if (!resolved) return StrIntOf(s);
  switch (Resolve(s)) {
    case Kind::kBool:
      return std::optional<std::string>(s[0] == 'y' || s[0] == 'Y' || s[0] == 't' || s[0] == 'T' ||
                                                (s.size() == 2 && (s[1] == 'n' || s[1] == 'N'))
                                            ? "1"
                                            : "0");
    case Kind::kInt:
      return IntOf(s);
    case Kind::kFloat:
      return FloatOf(s);
    case Kind::kStr:
      return StrIntOf(s);
    case Kind::kUnsure:
      return Unsure("a long plain scalar that may be a number", s);
    default:  // None, a date, or what the document fails on
      return std::optional<std::string>();
  }
}

PyYamlPlainType PyYamlTypeOf(const std::string& plain) {
  switch (Resolve(plain)) {
    case Kind::kNull:
      return PyYamlPlainType::kNull;
    case Kind::kBool:
      return PyYamlPlainType::kBool;
    case Kind::kInt:
      return PyYamlPlainType::kInt;
    case Kind::kFloat:
      return PyYamlPlainType::kFloat;
    case Kind::kStr:
      return PyYamlPlainType::kStr;
    default:
      return PyYamlPlainType::kOther;
  }
}

Result<bool> PyYamlPlainFails(const std::string& plain, bool is_key) {
  Kind k = Resolve(plain);
  if (k == Kind::kValue || (k == Kind::kMerge && !is_key)) return true;
  if (k == Kind::kUnsure) return Unsure("a long plain scalar that may be a number", plain);
  if (k == Kind::kInt) {
    Result<std::optional<std::string>> v = IntOf(plain);
    return v.ok() && !*v;  // out of 64-bit range is still an int to Python
  }
  return k == Kind::kTimestamp && !TimestampConstructs(plain);
}

}  // namespace s3us::userdata

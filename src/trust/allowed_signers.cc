#include "trust/allowed_signers.h"

#include <ctime>

#include "core/strings.h"

namespace s3us::trust {
namespace {

// ssh-keygen splits a line at spaces and tabs only: a CR inside a line is part of a token
// (Parse takes off the one a CRLF file ends its lines with).
bool IsBlank(char c) { return c == ' ' || c == '\t'; }

std::string_view SkipBlanks(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && IsBlank(s[i])) ++i;
  return s.substr(i);
}

// The next blank-delimited token; the view advances past it.
std::string_view NextToken(std::string_view* s) {
  size_t i = 0;
  while (i < s->size() && !IsBlank((*s)[i])) ++i;
  std::string_view token = s->substr(0, i);
  s->remove_prefix(i);
  return token;
}

bool IsKeyTypeName(std::string_view t) {
  static constexpr std::string_view kNames[] = {"ssh-ed25519",
                                                "ecdsa-sha2-nistp256",
                                                "ecdsa-sha2-nistp384",
                                                "ecdsa-sha2-nistp521",
                                                "ssh-rsa",
                                                "ssh-dss",
                                                "sk-ssh-ed25519@openssh.com",
                                                "sk-ecdsa-sha2-nistp256@openssh.com",
                                                "ssh-xmss@openssh.com"};
  for (auto n : kNames) {
    if (t == n) return true;
  }
  return t.ends_with("-cert-v01@openssh.com");
}

// OpenSSH's sshkey_advance_past_options: options end at the first unquoted blank.
std::optional<std::string_view> CutOptions(std::string_view* s) {
  bool quoted = false;
  size_t i = 0;
  for (; i < s->size() && (quoted || ((*s)[i] != ' ' && (*s)[i] != '\t')); ++i) {
    if ((*s)[i] == '\\' && i + 1 < s->size() && (*s)[i + 1] == '"') {
      ++i;
    } else if ((*s)[i] == '"') {
      quoted = !quoted;
    }
  }
  if (quoted) return std::nullopt;
  std::string_view options = s->substr(0, i);
  s->remove_prefix(i);
  return options;
}

// A double-quoted option value with \" escapes; the view advances past the closing quote.
std::optional<std::string> Dequote(std::string_view* s) {
  if (s->empty() || (*s)[0] != '"') return std::nullopt;
  std::string out;
  for (size_t i = 1; i < s->size(); ++i) {
    char c = (*s)[i];
    if (c == '"') {
      s->remove_prefix(i + 1);
      return out;
    }
    if (c == '\\' && i + 1 < s->size() && (*s)[i + 1] == '"') c = (*s)[++i];
    out.push_back(c);
  }
  return std::nullopt;
}

bool ConsumeOption(std::string_view* s, std::string_view name) {
  if (s->size() <= name.size() || !IStartsWith(*s, name) || (*s)[name.size()] != '=') {
    return false;
  }
  s->remove_prefix(name.size() + 1);
  return true;
}

Status ParseOptions(std::string_view s, AllowedSigner* out) {
  auto bad = [](std::string what) { return Error(ErrorCode::kInvalidInput, std::move(what)); };
  while (!s.empty()) {
    if (IStartsWith(s, "cert-authority") &&
        (s.size() == 14 || s[14] == ',' || s[14] == ' ' || s[14] == '\t')) {
      return Error(ErrorCode::kUnsupported, "cert-authority is not supported");
    }
    if (ConsumeOption(&s, "namespaces")) {
      if (out->namespaces) return bad("multiple namespaces options");
      out->namespaces = Dequote(&s);
      if (!out->namespaces) return bad("namespaces value is not quoted");
    } else if (bool after = ConsumeOption(&s, "valid-after");
               after || ConsumeOption(&s, "valid-before")) {
      int64_t& field = after ? out->valid_after : out->valid_before;
      const char* name = after ? "valid-after" : "valid-before";
      if (field != 0) return bad(std::string("multiple ") + name + " options");
      auto text = Dequote(&s);
      auto t = text ? ParseSignerTime(*text) : std::nullopt;
      if (!t || *t == 0) return bad(std::string("invalid ") + name + " time");
      field = *t;
    } else {
      return bad("unknown option");
    }
    if (s.empty()) break;
    if (s[0] != ',') return bad("unknown option");
    s.remove_prefix(1);
    if (s.empty()) return bad("unexpected end of options");
  }
  if (out->valid_after != 0 && out->valid_before != 0 && out->valid_before <= out->valid_after) {
    return bad("valid-before is not after valid-after");
  }
  return Ok();
}

Result<std::optional<AllowedSigner>> ParseLine(std::string_view line, std::string origin) {
  auto bad = [](std::string what) { return Error(ErrorCode::kInvalidInput, std::move(what)); };
  line = SkipBlanks(line);
  if (line.empty() || line[0] == '#') return std::optional<AllowedSigner>();
  if (line.find('\0') != std::string_view::npos) return bad("nul byte");
  std::string principals;
  if (line[0] == '"') {
    size_t close = line.find('"', 1);
    if (close == std::string_view::npos) return bad("unterminated quote in principals");
    principals = std::string(line.substr(1, close - 1));
    line.remove_prefix(close + 1);
    if (!line.empty() && !IsBlank(line[0])) return bad("text after quoted principals");
  } else {
    principals = std::string(NextToken(&line));
  }
  line = SkipBlanks(line);
  if (line.empty()) return bad("no key after the principals");
  std::string_view options;
  if (!IsKeyTypeName(line.substr(0, line.find_first_of(" \t")))) {
    auto cut = CutOptions(&line);
    if (!cut) return bad("unterminated quote in options");
    options = *cut;
    line = SkipBlanks(line);
    if (line.empty()) return bad("no key after the options");
  }
  std::string_view type = NextToken(&line);
  line = SkipBlanks(line);
  std::string_view base64 = NextToken(&line);
  if (!IsKeyTypeName(type)) return bad("invalid key type");
  auto key = PublicKey::FromText(type, base64);
  if (!key.ok()) return std::move(key).error();
  AllowedSigner signer{std::move(principals), std::move(*key), std::nullopt, 0, 0,
                       std::move(origin)};
  if (auto st = ParseOptions(options, &signer); !st.ok()) return std::move(st).error();
  return std::optional<AllowedSigner>(std::move(signer));
}

int Number(std::string_view s) {
  int n = 0;
  for (char c : s) n = n * 10 + (c - '0');
  return n;
}

}  // namespace

std::optional<int64_t> ParseSignerTime(std::string_view text) {
  bool utc = false;
  if (text.size() > 1 && (text.back() == 'Z' || text.back() == 'z')) {
    utc = true;
    text.remove_suffix(1);
  } else if (text.size() > 3 && IEquals(text.substr(text.size() - 3), "UTC")) {
    utc = true;
    text.remove_suffix(3);
  }
  if ((text.size() != 8 && text.size() != 12 && text.size() != 14) || !IsAllDigits(text)) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = Number(text.substr(0, 4)) - 1900;
  tm.tm_mon = Number(text.substr(4, 2)) - 1;
  tm.tm_mday = Number(text.substr(6, 2));
  if (text.size() >= 12) {
    tm.tm_hour = Number(text.substr(8, 2));
    tm.tm_min = Number(text.substr(10, 2));
  }
  if (text.size() == 14) tm.tm_sec = Number(text.substr(12, 2));
  // The ranges strptime(3) accepts; mktime/timegm then normalise (Feb 31 = Mar 3).
  if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 61) {
    return std::nullopt;
  }
  tm.tm_isdst = 0;
  time_t t = utc ? timegm(&tm) : mktime(&tm);
  if (t < 0) return std::nullopt;
  return static_cast<int64_t>(t);
}

bool MatchPattern(std::string_view s, std::string_view p) {
  size_t si = 0, pi = 0;
  size_t star = std::string_view::npos, resume = 0;
  while (si < s.size()) {
    if (pi < p.size() && (p[pi] == '?' || p[pi] == s[si])) {
      ++si;
      ++pi;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      resume = si;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      si = ++resume;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

bool AdmitsSomeone(std::string_view list) {
  for (std::string_view entry : Split(list, ',')) {
    if (!entry.empty() && entry[0] != '!' && MatchPatternList(entry, list) == 1) return true;
  }
  return false;
}

int MatchPatternList(std::string_view s, std::string_view list) {
  // OpenSSH copies each pattern into a 1024-byte buffer and gives up on longer ones.
  constexpr size_t kMaxPattern = 1023;
  bool positive = false;
  size_t i = 0;
  while (i < list.size()) {
    bool negated = list[i] == '!';
    if (negated) ++i;
    size_t end = list.find(',', i);
    if (end == std::string_view::npos) end = list.size();
    if (end - i >= kMaxPattern) return 0;
    if (MatchPattern(s, list.substr(i, end - i))) {
      if (negated) return -1;
      positive = true;
    }
    i = end < list.size() ? end + 1 : end;
  }
  return positive ? 1 : 0;
}

Result<AllowedSigners> AllowedSigners::Parse(std::string_view text, std::string_view origin) {
  if (text.size() > kMaxAllowedSignersBytes) {
    return Error(ErrorCode::kLimitExceeded, std::string(origin) + " is larger than 1 MiB");
  }
  AllowedSigners out;
  size_t number = 0;
  for (std::string_view line : Split(text, '\n')) {
    ++number;
    if (line.ends_with('\r')) line.remove_suffix(1);
    std::string where = std::string(origin) + ":" + std::to_string(number);
    auto parsed = ParseLine(line, where);
    if (!parsed.ok()) return std::move(parsed).error().WithContext(where);
    if (*parsed) out.entries_.push_back(std::move(**parsed));
  }
  return out;
}

void AllowedSigners::Append(const AllowedSigners& more) {
  entries_.insert(entries_.end(), more.entries_.begin(), more.entries_.end());
}

}  // namespace s3us::trust

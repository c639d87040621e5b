#include "userdata/pyyaml_scan.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <string>

namespace s3us::userdata {
namespace {

// Escapes of one character PyYAML knows in a double-quoted scalar (ESCAPE_REPLACEMENTS).
constexpr std::string_view kEscapes = "0abt\tnvfre \"/\\N_LP";

size_t HexDigits(char e) { return e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0; }

// The code point of the `n` hex digits at text[i], or nullopt.
std::optional<uint32_t> HexAt(std::string_view text, size_t i, size_t n) {
  if (i + n > text.size()) return std::nullopt;
  uint32_t v = 0;
  for (size_t k = i; k < i + n; ++k) {
    char c = text[k];
    int d = (c >= '0' && c <= '9')   ? c - '0'
            : (c >= 'a' && c <= 'f') ? c - 'a' + 10
            : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                     : -1;
    if (d < 0) return std::nullopt;
    v = v * 16 + static_cast<uint32_t>(d);
  }
  return v;
}

// Length of the \r\n, \r or \n at text[i], or 0.
size_t BreakAt(std::string_view text, size_t i) {
  if (i >= text.size()) return 0;
  if (text[i] == '\r') return text.substr(i, 2) == "\r\n" ? 2 : 1;
  return text[i] == '\n' ? 1 : 0;
}

bool BlankOrEnd(std::string_view text, size_t i) {
  return i >= text.size() || text[i] == ' ' || text[i] == '\t' || BreakAt(text, i) != 0;
}

// A '---' or '...' at the start of a line inside a quoted scalar: PyYAML fails on it.
bool SeparatorAt(std::string_view text, size_t i) {
  std::string_view three = text.substr(i, 3);
  return (three == "---" || three == "...") && BlankOrEnd(text, i + 3);
}

// The offset of the quote closing the quoted scalar opened at text[open], as PyYAML's
// scan_flow_scalar reads it, or nullopt where it fails.
std::optional<size_t> CloseOf(std::string_view text, size_t open) {
  const char quote = text[open];
  for (size_t j = open + 1; j < text.size();) {
    if (size_t n = BreakAt(text, j); n != 0) {
      j += n;
      if (SeparatorAt(text, j)) return std::nullopt;
      continue;
    }
    char c = text[j];
    if (c == quote && quote == '\'' && text.substr(j, 2) == "''") {
      j += 2;
    } else if (c == quote) {
      return j;
    } else if (c == '\\' && quote == '"') {
      if (j + 1 >= text.size()) return std::nullopt;
      char e = text[j + 1];
      if (size_t n = BreakAt(text, j + 1); n != 0) {
        j += 1 + n;
        if (SeparatorAt(text, j)) return std::nullopt;
      } else if (size_t digits = HexDigits(e); digits != 0) {
        std::optional<uint32_t> cp = HexAt(text, j + 2, digits);
        if (!cp || *cp > 0x10ffff) return std::nullopt;  // chr() raises: load_yaml fails too
        j += 2 + digits;
      } else if (kEscapes.find(e) != std::string_view::npos) {
        j += 2;
      } else {
        return std::nullopt;
      }
    } else {
      ++j;
    }
  }
  return std::nullopt;
}

// Past the anchors, tags, blanks and comments at text[i] (a node's mark is at its first
// property).
size_t SkipProperties(std::string_view text, size_t i) {
  while (i < text.size()) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
    } else if (c == '#') {
      while (i < text.size() && BreakAt(text, i) == 0) ++i;
    } else if (c == '&' || c == '!') {
      while (!BlankOrEnd(text, i)) ++i;
    } else {
      break;
    }
  }
  return i;
}

void Collect(const YAML::Node& n, std::string_view text, std::set<std::pair<int, int>>& seen,
             QuotedScalars& out) {
  if (!n.IsDefined() || n.IsNull()) return;
  // Marks tell nodes apart: an alias is its anchor's node, met again.
  if (!seen.insert({n.Mark().pos, static_cast<int>(n.Type())}).second) return;
  if (n.IsScalar()) {
    if (n.Mark().pos < 0) return;
    size_t at = SkipProperties(text, static_cast<size_t>(n.Mark().pos));
    if (at >= text.size() || (text[at] != '"' && text[at] != '\'')) return;
    if (std::optional<size_t> close = CloseOf(text, at)) {
      out.spans.emplace_back(at, *close);
    } else {
      out.pyyaml_fails = true;
    }
    return;
  }
  for (auto it = n.begin(); it != n.end(); ++it) {
    if (n.IsMap()) {
      Collect(it->first, text, seen, out);
      Collect(it->second, text, seen, out);
    } else {
      Collect(*it, text, seen, out);
    }
  }
}

// Length of the PyYAML line break (\r\n, \r, \n, U+0085, U+2028, U+2029) at text[i], or 0.
size_t YamlBreakAt(std::string_view text, size_t i) {
  std::string_view rest = text.substr(i);
  if (size_t n = BreakAt(text, i); n != 0) return n;
  if (rest.starts_with("\xc2\x85")) return 2;
  if (rest.starts_with("\xe2\x80\xa8") || rest.starts_with("\xe2\x80\xa9")) return 3;
  return 0;
}

bool InSpan(const QuotedScalars& quoted, size_t i) {
  auto it = std::upper_bound(quoted.spans.begin(), quoted.spans.end(),
                             std::make_pair(i, static_cast<size_t>(-1)));
  return it != quoted.spans.begin() && std::prev(it)->first < i && i < std::prev(it)->second;
}

}  // namespace

bool MayNameKey(std::string_view text, std::string_view key) {
  if (text.find(key) != std::string_view::npos) return true;
  if (text.find('\\') == std::string_view::npos) return false;
  std::string decoded;
  decoded.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      decoded.push_back(text[i++]);
      continue;
    }
    size_t digits = HexDigits(text[i + 1]);
    if (std::optional<uint32_t> cp = digits ? HexAt(text, i + 2, digits) : std::nullopt) {
      decoded.push_back(*cp < 0x80 ? static_cast<char>(*cp) : '\x80');  // the key is ASCII
      i += 2 + digits;
    } else if (size_t n = BreakAt(text, i + 1); n != 0) {
      i += 1 + n;  // an escaped line break joins the lines, dropping the next one's blanks
      while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    } else {
      decoded.append(text.substr(i, 2));  // \\ is one backslash, never the start of another
      i += 2;
    }
  }
  return decoded.find(key) != std::string::npos;
}

QuotedScalars FindQuotedScalars(const YAML::Node& root, std::string_view text) {
  QuotedScalars out;
  std::set<std::pair<int, int>> seen;
  Collect(root, text, seen, out);
  std::sort(out.spans.begin(), out.spans.end());
  return out;
}

bool AnchorsUnsure(std::string_view text, const QuotedScalars& quoted) {
  std::set<std::string_view> names;
  auto ends_name = [&](size_t i) {
    return BlankOrEnd(text, i) || std::string_view(",[]{}").find(text[i]) != std::string_view::npos;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    bool token_start = i == 0 || BlankOrEnd(text, i - 1) ||
                       std::string_view("[{,").find(text[i - 1]) != std::string_view::npos;
    if (!token_start || InSpan(quoted, i)) continue;
    if (text[i] == '#') {
      while (i < text.size() && BreakAt(text, i) == 0) ++i;
    } else if (text[i] == '&') {
      size_t end = i + 1;
      while (!ends_name(end)) ++end;
      std::string_view name = text.substr(i + 1, end - i - 1);
      bool plain = std::all_of(name.begin(), name.end(), [](char n) {
        return (n >= 'a' && n <= 'z') || (n >= 'A' && n <= 'Z') || (n >= '0' && n <= '9') ||
               n == '-' || n == '_';
      });
      if (!plain || !names.insert(name).second) return true;
      i = end - 1;
    }
  }
  return false;
}

BlankSuspect SuspectBlank(std::string_view text, const QuotedScalars& quoted) {
  auto in_span = [&](size_t i) { return InSpan(quoted, i); };
  int line = 1;
  bool comment = false, blank = true, quote_or_tab = false;
  for (size_t i = 0; i < text.size();) {
    if (size_t n = YamlBreakAt(text, i); n != 0) {
      if (text[i] != '\r' && text[i] != '\n') return {line, false};
      ++line;
      comment = quote_or_tab = false;
      blank = true;
      i += n;
      continue;
    }
    char c = text[i];
    if (c == '\t' && !comment && !in_span(i)) return {line, true};
    if (c == '#' && (blank || (!quote_or_tab && text[i - 1] == ' ')) && !in_span(i)) {
      comment = true;
    }
    if (c == '\t' || c == '"' || c == '\'') quote_or_tab = true;
    if (c != ' ') blank = false;
    ++i;
  }
  return {};
}

}  // namespace s3us::userdata

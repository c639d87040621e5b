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

// PyYAML's column of text[i]: characters since the line's start.
int ColumnOf(std::string_view text, size_t i) {
  int column = 0;
  for (size_t b = i; b > 0 && text[b - 1] != '\n' && text[b - 1] != '\r'; --b) {
    column += (static_cast<unsigned char>(text[b - 1]) & 0xc0) != 0x80;
  }
  return column;
}

// scan_block_scalar_breaks: past blanks up to `indent` and the empty lines after them.
void SkipBlockBreaks(std::string_view text, size_t& j, int& column, int indent) {
  while (true) {
    for (; column < indent && j < text.size() && text[j] == ' '; ++j) ++column;
    size_t n = BreakAt(text, j);
    if (n == 0) return;
    j += n;
    column = 0;
  }
}

// The content lines of the block scalar whose '|' or '>' is at text[at], as PyYAML's
// scan_block_scalar reads them with `min_indent` (its parent's indent + 1, at least 1).
void AddBlockText(std::string_view text, size_t at, int min_indent, QuotedScalars& out) {
  size_t j = at + 1;
  int increment = 0;
  for (int k = 0; k < 2 && j < text.size(); ++k) {  // chomping and indentation, either order
    if (text[j] == '+' || text[j] == '-') {
      ++j;
    } else if (text[j] >= '1' && text[j] <= '9') {
      increment = text[j++] - '0';
    }
  }
  while (j < text.size() && text[j] == ' ') ++j;
  if (j < text.size() && text[j] == '#') {
    while (j < text.size() && BreakAt(text, j) == 0) ++j;
  }
  if (BreakAt(text, j) == 0) return;  // no content, or a header PyYAML refuses
  j += BreakAt(text, j);
  int column = 0, indent = min_indent + increment - 1;
  if (increment != 0) {
    SkipBlockBreaks(text, j, column, indent);
  } else {  // scan_block_scalar_indentation: the most blanks before the first text
    int most = 0;
    while (j < text.size() && (text[j] == ' ' || BreakAt(text, j) != 0)) {
      if (text[j] == ' ') {
        ++j;
        most = std::max(most, ++column);
      } else {
        j += BreakAt(text, j);
        column = 0;
      }
    }
    indent = std::max(min_indent, most);
  }
  while (j < text.size() && column == indent) {
    size_t end = j;
    while (end < text.size() && BreakAt(text, end) == 0) ++end;
    out.block_text.emplace_back(j, end);
    j = end + BreakAt(text, end);
    column = 0;
    SkipBlockBreaks(text, j, column, indent);
  }
}

void Collect(const YAML::Node& n, std::string_view text, int parent_indent,
             std::set<std::pair<int, int>>& seen, QuotedScalars& out) {
  if (!n.IsDefined() || n.IsNull() || n.Mark().pos < 0) return;
  // Marks tell nodes apart: an alias is its anchor's node, met again.
  if (!seen.insert({n.Mark().pos, static_cast<int>(n.Type())}).second) return;
  size_t at = SkipProperties(text, static_cast<size_t>(n.Mark().pos));
  if (at >= text.size()) return;
  if (n.IsScalar()) {
    if (text[at] == '|' || text[at] == '>') {
      AddBlockText(text, at, std::max(parent_indent + 1, 1), out);
    } else if (text[at] == '"' || text[at] == '\'') {
      if (std::optional<size_t> close = CloseOf(text, at)) {
        out.spans.emplace_back(at, *close);
      } else {
        out.pyyaml_fails = true;
      }
    }
    return;
  }
  // A block collection's indent is the column of its first key or '-' (past its
  // properties: never less than PyYAML's).
  int indent = n.Style() == YAML::EmitterStyle::Block ? ColumnOf(text, at) : parent_indent;
  for (auto it = n.begin(); it != n.end(); ++it) {
    if (n.IsMap()) {
      Collect(it->first, text, indent, seen, out);
      Collect(it->second, text, indent, seen, out);
    } else {
      Collect(*it, text, indent, seen, out);
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

// True when the range of `ranges` (sorted, apart) that may hold i has
// first + open_first <= i < second + closed.
bool InRange(const std::vector<std::pair<size_t, size_t>>& ranges, size_t i, size_t open_first,
             size_t closed) {
  auto it = std::upper_bound(ranges.begin(), ranges.end(), std::make_pair(i, SIZE_MAX));
  if (it == ranges.begin()) return false;
  --it;
  return it->first + open_first <= i && i < it->second + closed;
}

// Strictly inside a quoted scalar.
bool InSpan(const QuotedScalars& quoted, size_t i) { return InRange(quoted.spans, i, 1, 0); }

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
  Collect(root, text, -1, seen, out);
  std::sort(out.spans.begin(), out.spans.end());
  std::sort(out.block_text.begin(), out.block_text.end());
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
  auto read = [&](size_t i) {  // a tab here is text of a quoted or block scalar
    return InSpan(quoted, i) || InRange(quoted.block_text, i, 0, 0);
  };
  int line = 1;
  // `unexplained`: a quote or tab on this line so far that is not one of a quoted scalar's.
  bool comment = false, blank = true, unexplained = false;
  for (size_t i = 0; i < text.size();) {
    if (size_t n = YamlBreakAt(text, i); n != 0) {
      if (text[i] != '\r' && text[i] != '\n') return {line, false};
      ++line;
      comment = unexplained = false;
      blank = true;
      i += n;
      continue;
    }
    char c = text[i];
    if (c == '\t' && !comment && !read(i)) return {line, true};
    if (c == '#' && (blank || (!unexplained && text[i - 1] == ' ')) && !read(i)) comment = true;
    if ((c == '\t' || c == '"' || c == '\'') && !InRange(quoted.spans, i, 0, 1)) {
      unexplained = true;
    }
    if (c != ' ') blank = false;
    ++i;
  }
  return {};
}

}  // namespace s3us::userdata

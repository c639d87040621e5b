#include "core/strings.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace s3us {
namespace {
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
}  // namespace

int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

namespace {

// Decodes the %XX at s[i]; -1 when there is none.
int EscapedByte(std::string_view s, size_t i) {
  if (s[i] != '%' || i + 2 >= s.size()) return -1;
  int hi = HexDigitValue(s[i + 1]);
  int lo = HexDigitValue(s[i + 2]);
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

}  // namespace

std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    int byte = EscapedByte(s, i);
    out += byte < 0 ? s[i] : static_cast<char>(byte);
    if (byte >= 0) i += 2;
  }
  return out;
}

std::optional<std::string> PercentDecodeStrict(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && EscapedByte(s, i) < 0) return std::nullopt;
  }
  return PercentDecode(s);
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

bool IStartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && IEquals(s.substr(0, prefix.size()), prefix);
}

bool IsAllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  size_t b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(kSpace);
  return s.substr(b, e - b + 1);
}

std::string_view StripQuotes(std::string_view s) {
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') return s.substr(1, s.size() - 2);
  return s;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

std::vector<std::string_view> SplitLines(std::string_view s) {
  std::vector<std::string_view> lines = Split(s, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  for (auto& line : lines) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  }
  return lines;
}

std::string CountOf(size_t count, std::string_view noun) {
  return std::to_string(count) + " " + std::string(noun) + (count == 1 ? "" : "s");
}

std::string HumanBytes(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int unit = 0;
  while (v >= 1024 && unit < 4) {
    v /= 1024;
    ++unit;
  }
  char buf[32];
  if (unit == 0) {
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  } else {
    std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[unit]);
  }
  return buf;
}

namespace {

// Unicode's direction controls (U+202A-U+202E, U+2066-U+2069) as UTF-8: printed, they make a
// name read other than it is ("gpj.exe" shown as "exe.jpg"), so they are escaped as controls.
bool IsDirectionControl(std::string_view seq) {
  if (seq.size() != 3 || static_cast<unsigned char>(seq[0]) != 0xe2) return false;
  auto b1 = static_cast<unsigned char>(seq[1]), b2 = static_cast<unsigned char>(seq[2]);
  return (b1 == 0x80 && b2 >= 0xaa && b2 <= 0xae) || (b1 == 0x81 && b2 >= 0xa6 && b2 <= 0xa9);
}

}  // namespace

std::string Printable(std::string_view raw, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(raw.size(), max_bytes) + 3);
  size_t i = 0;
  for (; i < raw.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(raw[i]);
    bool control = c < 0x20 || c == 0x7f;
    // A UTF-8 sequence (lead byte 11xxxxxx, then 10xxxxxx) is kept whole or not at all.
    size_t len = 1;
    if (c >= 0xc0) {
      while (i + len < raw.size() && len < 4 &&
             (static_cast<unsigned char>(raw[i + len]) & 0xc0) == 0x80) {
        ++len;
      }
    }
    if (IsDirectionControl(raw.substr(i, len))) {
      if (out.size() + 6 > max_bytes) break;
      unsigned code = ((c & 0x0fu) << 12) |
                      ((static_cast<unsigned char>(raw[i + 1]) & 0x3fu) << 6) |
                      (static_cast<unsigned char>(raw[i + 2]) & 0x3fu);
      char esc[7];
      std::snprintf(esc, sizeof esc, "\\u%04x", code);
      out += esc;
      i += len - 1;
      continue;
    }
    if (out.size() + (control ? 4 : len) > max_bytes) break;
    if (control) {
      char esc[5];
      std::snprintf(esc, sizeof esc, "\\x%02x", c);
      out += esc;
    } else {
      out.append(raw.substr(i, len));
      i += len - 1;
    }
  }
  if (i < raw.size()) out += "...";
  return out;
}

}  // namespace s3us

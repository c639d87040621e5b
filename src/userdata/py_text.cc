#include "userdata/py_text.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace s3us::userdata {
namespace {

// Decodes one UTF-8 sequence at s[i]; returns its length (0 when invalid).
size_t DecodeUtf8(std::string_view s, size_t i, uint32_t* cp) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  size_t n;
  uint32_t v;
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
    v = c & 0x1f;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    v = c & 0x0f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    v = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xc0) != 0x80) return 0;
    v = (v << 6) | (b(i + k) & 0x3f);
  }
  if ((n == 3 && v < 0x800) || (n == 4 && (v < 0x10000 || v > 0x10ffff))) return 0;
  if (v >= 0xd800 && v <= 0xdfff) return 0;
  *cp = v;
  return n;
}

bool IsPySpace(uint32_t cp) {
  return (cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x20) || cp == 0x85 || cp == 0xa0 ||
         cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 ||
         cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

bool IsPyLineBreak(uint32_t cp) {
  return cp == '\n' || cp == '\r' || cp == 0x0b || cp == 0x0c || (cp >= 0x1c && cp <= 0x1e) ||
         cp == 0x85 || cp == 0x2028 || cp == 0x2029;
}

}  // namespace

size_t PySpaceAt(std::string_view s, size_t i) {
  uint32_t cp = 0;
  size_t n = DecodeUtf8(s, i, &cp);
  return (n != 0 && IsPySpace(cp)) ? n : 0;
}

std::string_view PyLStrip(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    size_t n = PySpaceAt(s, i);
    if (n == 0) break;
    i += n;
  }
  return s.substr(i);
}

std::string_view PyRStrip(std::string_view s) {
  // Walk forward remembering where the trailing run of whitespace starts.
  size_t i = 0, run = 0;
  bool in_run = false;
  while (i < s.size()) {
    size_t n = PySpaceAt(s, i);
    if (n != 0) {
      if (!in_run) run = i;
      in_run = true;
      i += n;
    } else {
      in_run = false;
      uint32_t cp;
      size_t m = DecodeUtf8(s, i, &cp);
      i += (m == 0 ? 1 : m);
    }
  }
  return in_run ? s.substr(0, run) : s;
}

std::string_view PyStrip(std::string_view s) { return PyRStrip(PyLStrip(s)); }

bool IsValidUtf8(std::string_view s, size_t* bad_offset, const Passed& passed) {
  constexpr size_t kPassedStep = 1 << 20;
  size_t i = 0;
  size_t next_passed = kPassedStep;
  while (i < s.size()) {
    if (passed && i >= next_passed) {
      passed(i);
      next_passed = i + kPassedStep;
    }
    if (i + 8 <= s.size()) {
      uint64_t word;
      std::memcpy(&word, s.data() + i, 8);
      if ((word & 0x8080808080808080ull) == 0) {
        i += 8;
        continue;
      }
    }
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    uint32_t cp;
    size_t n = DecodeUtf8(s, i, &cp);
    if (n == 0) {
      if (bad_offset) *bad_offset = i;
      return false;
    }
    i += n;
  }
  return true;
}

bool PyNextLine(std::string_view s, size_t& pos, std::string_view& line) {
  if (pos >= s.size()) return false;
  size_t start = pos, i = pos;
  while (i < s.size()) {
    uint32_t cp = 0;
    size_t n = DecodeUtf8(s, i, &cp);
    if (n == 0) {
      ++i;
      continue;
    }
    if (IsPyLineBreak(cp)) {
      line = s.substr(start, i - start);
      if (cp == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++n;
      pos = i + n;
      return true;
    }
    i += n;
  }
  line = s.substr(start);
  pos = s.size();
  return true;
}

std::vector<std::string_view> PySplitLines(std::string_view s) {
  std::vector<std::string_view> lines;
  size_t pos = 0;
  for (std::string_view line; PyNextLine(s, pos, line);) lines.push_back(line);
  return lines;
}

std::optional<std::string> PyIntString(std::string_view s) {
  s = PyStrip(s);
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  std::string digits;
  bool prev_digit = false;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
      prev_digit = true;
    } else if (c == '_' && prev_digit) {
      prev_digit = false;
    } else {
      return std::nullopt;
    }
  }
  if (!prev_digit) return std::nullopt;
  size_t nz = digits.find_first_not_of('0');
  if (nz == std::string::npos) return std::string("0");
  std::string out(negative ? "-" : "");
  out.append(digits, nz, std::string::npos);
  return out;
}

bool PyIntUnknown(std::string_view s) {
  s = PyStrip(s);
  return std::any_of(s.begin(), s.end(), [](char c) { return (c & 0x80) != 0; });
}

std::string PyRawUnicodeEscape(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  for (size_t i = 0; i < utf8.size();) {
    uint32_t cp = 0;
    size_t n = static_cast<unsigned char>(utf8[i]) < 0x80 ? 1 : DecodeUtf8(utf8, i, &cp);
    if (n <= 1) {
      out.push_back(utf8[i]);
      i += 1;
      continue;
    }
    i += n;
    if (cp < 0x100) {
      out.push_back(static_cast<char>(cp));
    } else {
      char buf[16];
      std::snprintf(buf, sizeof buf, cp < 0x10000 ? "\\u%04x" : "\\U%08x", cp);
      out += buf;
    }
  }
  return out;
}

size_t TrailingLineBreak(std::string_view s) {
  if (s.size() >= 2 && s.substr(s.size() - 2) == "\r\n") return 2;
  if (!s.empty() && (s.back() == '\r' || s.back() == '\n')) return 1;
  return 0;
}

}  // namespace s3us::userdata

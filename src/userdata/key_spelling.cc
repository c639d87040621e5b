#include "userdata/key_spelling.h"

#include <cstdint>
#include <optional>
#include <string>

namespace s3us::userdata {
namespace {

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

}  // namespace s3us::userdata

#include "trust/wire.h"

#include "core/crypto.h"

namespace s3us::trust {

bool WireReader::ReadRaw(size_t size, std::string_view* out) {
  if (size > rest_.size()) return false;
  *out = rest_.substr(0, size);
  rest_.remove_prefix(size);
  return true;
}

bool WireReader::ReadU32(uint32_t* out) {
  std::string_view b;
  if (!ReadRaw(4, &b)) return false;
  *out = (uint32_t{static_cast<uint8_t>(b[0])} << 24) |
         (uint32_t{static_cast<uint8_t>(b[1])} << 16) |
         (uint32_t{static_cast<uint8_t>(b[2])} << 8) | uint32_t{static_cast<uint8_t>(b[3])};
  return true;
}

bool WireReader::ReadString(std::string_view* out) {
  uint32_t size = 0;
  return ReadU32(&size) && ReadRaw(size, out);
}

bool WireReader::ReadPositiveMpint(std::string_view* out) {
  std::string_view m;
  if (!ReadString(&m)) return false;
  if (!m.empty() && (static_cast<uint8_t>(m[0]) & 0x80) != 0) return false;  // negative
  if (!m.empty() && m[0] == '\0') {
    if (m.size() == 1 || (static_cast<uint8_t>(m[1]) & 0x80) == 0) return false;  // not minimal
    m.remove_prefix(1);
  }
  *out = m;
  return true;
}

void AppendU32(std::string* out, uint32_t value) {
  out->push_back(static_cast<char>(value >> 24));
  out->push_back(static_cast<char>(value >> 16));
  out->push_back(static_cast<char>(value >> 8));
  out->push_back(static_cast<char>(value));
}

void AppendString(std::string* out, std::string_view value) {
  AppendU32(out, static_cast<uint32_t>(value.size()));
  out->append(value);
}

namespace {

int Sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

std::optional<std::string> Base64Decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3);
  uint32_t acc = 0;
  int count = 0;  // sextets in the current quantum
  size_t i = 0;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (IsSpace(c)) continue;
    if (c == '=') break;
    int v = Sextet(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    if (++count == 4) {
      out.push_back(static_cast<char>(acc >> 16));
      out.push_back(static_cast<char>(acc >> 8));
      out.push_back(static_cast<char>(acc));
      acc = 0;
      count = 0;
    }
  }
  if (i == text.size()) {
    if (count != 0) return std::nullopt;  // unpadded tail
    return out;
  }
  // Padding: "xx==" or "xxx=", then only whitespace.
  int pads = 0;
  for (; i < text.size(); ++i) {
    if (text[i] == '=') {
      ++pads;
    } else if (!IsSpace(text[i])) {
      return std::nullopt;
    }
  }
  if (count == 2 && pads == 2) {
    if ((acc & 0xf) != 0) return std::nullopt;
    out.push_back(static_cast<char>(acc >> 4));
  } else if (count == 3 && pads == 1) {
    if ((acc & 0x3) != 0) return std::nullopt;
    out.push_back(static_cast<char>(acc >> 10));
    out.push_back(static_cast<char>(acc >> 2));
  } else {
    return std::nullopt;
  }
  return out;
}

std::string Base64EncodeUnpadded(std::string_view bytes) {
  std::string s = Base64Encode(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  while (!s.empty() && s.back() == '=') s.pop_back();
  return s;
}

}  // namespace s3us::trust

#include "run/names.h"

#include <algorithm>

namespace s3us::run {
namespace {

bool Allowed(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-' || c == '+' || c == '(' || c == ')';
}

}  // namespace

std::string SafeFileName(std::string_view raw) {
  std::string out;
  out.reserve(std::min(raw.size(), kMaxNameBytes));
  for (char c : raw) {
    if (Allowed(c)) {
      out += c;
    } else if (out.empty() || out.back() != '_') {
      out += '_';
    }
  }
  size_t start = out.find_first_not_of("._-");
  out = start == std::string::npos ? std::string() : out.substr(start);
  if (out.size() > kMaxNameBytes) out.resize(kMaxNameBytes);
  if (out.empty()) out = "part";
  return out;
}

std::string PadIndex(int index, int count) {
  size_t width = std::max<size_t>(3, std::to_string(std::max(count, 0)).size());
  std::string digits = std::to_string(index);
  if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
  return digits;
}

std::string PartFileName(int index, int count, std::string_view filename) {
  return PadIndex(index, count) + "-" + SafeFileName(filename);
}

}  // namespace s3us::run

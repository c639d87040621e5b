#include "handlers/script_text.h"

namespace s3us::handlers {

std::string Dos2Unix(std::string_view payload) {
  size_t nl = payload.find('\n');
  if (nl == std::string_view::npos || nl == 0 || payload[nl - 1] != '\r') {
    return std::string(payload);
  }
  std::string out;
  out.reserve(payload.size());
  for (size_t i = 0; i < payload.size(); ++i) {
    if (payload[i] == '\r' && i + 1 < payload.size() && payload[i + 1] == '\n') continue;
    out += payload[i];
  }
  return out;
}

Result<userdata::Payload> Dos2UnixPayload(const userdata::Payload& payload) {
  std::string_view head = payload.head();
  size_t nl = head.find('\n');
  bool unchanged = nl == std::string_view::npos ? head.size() == payload.size()
                                                : nl == 0 || head[nl - 1] != '\r';
  if (unchanged) return payload;
  Result<userdata::PayloadView> text = payload.View(payload.size());
  if (!text.ok()) return text.error();
  return userdata::Payload(Dos2Unix(text->bytes()));
}

std::string BoothookScript(std::string_view payload) {
  std::string text = Dos2Unix(payload);
  constexpr std::string_view kPrefix = "#cloud-boothook";
  if (std::string_view(text).substr(0, kPrefix.size()) == kPrefix) text.erase(0, kPrefix.size());
  size_t start = text.find_first_not_of(" \t\n\r\v\f");
  return start == std::string::npos ? std::string() : text.substr(start);
}

}  // namespace s3us::handlers

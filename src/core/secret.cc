#include "core/secret.h"

#include <mutex>
#include <set>

namespace s3us {
namespace {

std::mutex& RegistryMutex() {
  static std::mutex m;
  return m;
}

// Longest first, so a secret that contains another is replaced whole.
struct LongestFirst {
  bool operator()(const std::string& a, const std::string& b) const {
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  }
};

std::set<std::string, LongestFirst>& Registry() {
  static auto* values = new std::set<std::string, LongestFirst>();
  return *values;
}

}  // namespace

Secret::Secret(std::string value) : value_(std::move(value)) { RegisterSecretValue(value_); }

void RegisterSecretValue(const std::string& value) {
  // Very short values would redact ordinary text; real secrets are long.
  if (value.size() < 8) return;
  std::lock_guard<std::mutex> lock(RegistryMutex());
  Registry().insert(value);
}

std::string RedactSecrets(std::string text) {
  std::lock_guard<std::mutex> lock(RegistryMutex());
  for (const std::string& secret : Registry()) {
    for (size_t pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos)) {
      text.replace(pos, secret.size(), "<redacted>");
      pos += 10;
    }
  }
  return text;
}

std::string RedactUrl(std::string_view url) {
  std::string out(url.substr(0, url.find_first_of("?#")));
  size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    size_t host = scheme + 3;
    size_t path = out.find('/', host);
    size_t at = out.rfind('@', path == std::string::npos ? out.size() : path);
    if (at != std::string::npos && at >= host) out.erase(host, at + 1 - host);
  }
  return out;
}

}  // namespace s3us

#include "core/secret.h"

#include <algorithm>
#include <mutex>
#include <set>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/strings.h"

namespace s3us {
namespace {

// A piece of a secret this long is a secret too: what a hostile server echoes may be cut
// or percent-encoded, and random text does not repeat 16 bytes of a key by chance.
constexpr size_t kFragment = 16;

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

// Registering is on the hot path (a plan registers each request's signature, from many
// threads), redacting is rare (messages): a value's windows are indexed by the first
// RedactSecrets after it was registered, not by RegisterSecretValue.
struct Registry {
  std::set<std::string, LongestFirst> values;    // each secret and its percent-encodings
  std::unordered_set<std::string_view> windows;  // every kFragment bytes of those (nodes stay)
  std::vector<std::string_view> unindexed;       // values whose windows are not in yet
};

Registry& TheRegistry() {
  static auto* registry = new Registry();
  return *registry;
}

void Add(Registry& r, std::string value) {
  auto [it, inserted] = r.values.insert(std::move(value));
  if (inserted && it->size() >= kFragment) r.unindexed.emplace_back(*it);
}

void IndexWindows(Registry& r) {
  for (std::string_view v : r.unindexed) {
    for (size_t i = 0; i + kFragment <= v.size(); ++i) r.windows.insert(v.substr(i, kFragment));
  }
  r.unindexed.clear();
}

// As a query string or a path carries it (RFC 3986 unreserved bytes kept; '/' too if asked).
std::string PercentEncoded(std::string_view value, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : value) {
    bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/');
    if (plain) {
      out += c;
    } else {
      auto byte = static_cast<unsigned char>(c);
      out += {'%', kHex[byte >> 4], kHex[byte & 15]};
    }
  }
  return out;
}

// Every byte of `text` inside a kFragment-byte piece of a registered value becomes part of
// one "<redacted>" per run.
std::string RedactFragments(const Registry& r, std::string text) {
  if (text.size() < kFragment || r.windows.empty()) return text;
  std::vector<bool> secret(text.size());
  bool any = false;
  std::string_view view(text);
  for (size_t i = 0; i + kFragment <= text.size(); ++i) {
    if (r.windows.count(view.substr(i, kFragment)) == 0) continue;
    std::fill(secret.begin() + static_cast<std::ptrdiff_t>(i),
              secret.begin() + static_cast<std::ptrdiff_t>(i + kFragment), true);
    any = true;
  }
  if (!any) return text;
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (!secret[i]) {
      out += text[i];
    } else if (i == 0 || !secret[i - 1]) {
      out += "<redacted>";
    }
  }
  return out;
}

}  // namespace

Secret::Secret(std::string value) : value_(std::move(value)) { RegisterSecretValue(value_); }

void RegisterSecretValue(const std::string& value) {
  // Very short values would redact ordinary text; real secrets are long.
  if (value.size() < 8) return;
  std::lock_guard<std::mutex> lock(RegistryMutex());
  Registry& r = TheRegistry();
  // Credentials are wrapped again for each request that uses them: once is enough.
  if (r.values.count(value) != 0) return;
  Add(r, value);
  Add(r, PercentEncoded(value, false));
  Add(r, PercentEncoded(value, true));
}

std::string RedactSecrets(std::string text) {
  std::lock_guard<std::mutex> lock(RegistryMutex());
  Registry& r = TheRegistry();
  IndexWindows(r);
  // A value of kFragment bytes or more is made of windows, which RedactFragments finds in
  // one pass over the text whatever the number of values (a plan registers a signature per
  // request); the shorter ones are looked for whole. Longest first: the short ones are last.
  auto short_values = std::find_if(r.values.begin(), r.values.end(),
                                   [](const std::string& v) { return v.size() < kFragment; });
  for (auto it = short_values; it != r.values.end(); ++it) {
    const std::string& secret = *it;
    for (size_t pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos)) {
      text.replace(pos, secret.size(), "<redacted>");
      pos += 10;
    }
  }
  return RedactFragments(r, std::move(text));
}

std::string RedactUrl(std::string_view url) {
  // An S3 URL or ARN has no query or fragment: '?' and '#' are part of its key, and
  // nothing in it is secret (a versionId is no credential). Cut, it would name another object.
  if (IStartsWith(url, "s3://") || IStartsWith(url, "arn:")) return std::string(url);
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

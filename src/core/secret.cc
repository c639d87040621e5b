#include "core/secret.h"

#include <algorithm>
#include <mutex>
#include <shared_mutex>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/strings.h"

namespace s3us {
namespace {

// A piece of a secret this long is a secret too: what a hostile server echoes may be cut
// or percent-encoded, and random text does not repeat 16 bytes of a key by chance.
constexpr size_t kFragment = 16;

// Values shorter than this are not looked for: they would redact ordinary text (LocalStack's
// credentials are "test", and "s3://my-test-bucket" must stay as it is). Real keys, tokens
// and signatures are far longer.
constexpr size_t kShortest = 8;

// Registering is on the hot path (a plan registers each request's signature, from many
// threads), and so is redacting (each response's header values pass through it): values are
// indexed once when registered, and redactions share the lock.
struct Registry {
  std::shared_mutex mu;
  std::unordered_set<std::string> values;        // each secret and its encodings
  std::unordered_set<std::string_view> windows;  // every kFragment bytes of those (nodes stay)
  std::vector<std::string_view> short_values;    // values under kFragment bytes, longest first
};

Registry& TheRegistry() {
  static auto* registry = new Registry();
  return *registry;
}

// REQUIRES: r.mu held exclusively.
void Add(Registry& r, std::string value) {
  auto [it, inserted] = r.values.insert(std::move(value));
  if (!inserted) return;
  std::string_view v = *it;
  if (v.size() < kShortest) return;  // an encoding of a value that is long enough itself
  if (v.size() < kFragment) {
    auto at = std::find_if(r.short_values.begin(), r.short_values.end(),
                           [&v](std::string_view other) { return other.size() < v.size(); });
    r.short_values.insert(at, v);
    return;
  }
  for (size_t i = 0; i + kFragment <= v.size(); ++i) r.windows.insert(v.substr(i, kFragment));
}

// As a query string or a path carries it (RFC 3986 unreserved bytes kept; '/' too if asked),
// with upper- or lower-case hexadecimal digits (both are RFC 3986's).
std::string PercentEncoded(std::string_view value, bool keep_slash, bool lower = false) {
  const char* kHex = lower ? "0123456789abcdef" : "0123456789ABCDEF";
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

// A JSON string's form of the value: what a server that answers in JSON echoes ('/' as
// "\/", as many encoders write it; '"' and '\' escaped).
std::string JsonEscaped(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '/' || c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

Secret::Secret(std::string value) : value_(std::move(value)) { RegisterSecretValue(value_); }

void RegisterSecretValue(const std::string& value) {
  if (value.size() < kShortest) return;
  Registry& r = TheRegistry();
  {
    // Credentials are wrapped again for each request that uses them: once is enough.
    std::shared_lock lock(r.mu);
    if (r.values.count(value) != 0) return;
  }
  std::string forms[] = {PercentEncoded(value, false), PercentEncoded(value, true),
                         PercentEncoded(value, false, true), PercentEncoded(value, true, true),
                         JsonEscaped(value)};
  std::unique_lock lock(r.mu);
  Add(r, value);
  for (std::string& form : forms) Add(r, std::move(form));
}

std::string RedactSecrets(std::string text) {
  Registry& r = TheRegistry();
  std::shared_lock lock(r.mu);
  // Longest first, so a shorter value never cuts a longer one apart. A value of kFragment
  // bytes or more is made of windows, which RedactFragments finds in one pass over the text
  // whatever the number of values (a plan registers a signature per request); the shorter
  // ones are looked for whole, longest first.
  text = RedactFragments(r, std::move(text));
  for (std::string_view secret : r.short_values) {
    for (size_t pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos)) {
      text.replace(pos, secret.size(), "<redacted>");
      pos += 10;
    }
  }
  return text;
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

// Secret: a string that has no printable form (secret keys, session tokens, IMDS tokens).
//
// It cannot be streamed, formatted or implicitly converted; the only way to the bytes is
// reveal(), used where they go on the wire or into a signature. Every Secret's value is also
// registered with the process-wide redactor (log.h), so even a value that escapes through
// reveal() into a message is replaced by "<redacted>" before any sink writes it.
#ifndef S3US_CORE_SECRET_H_
#define S3US_CORE_SECRET_H_

#include <string>

namespace s3us {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value);

  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  bool operator==(const Secret& other) const { return value_ == other.value_; }

 private:
  std::string value_;
};

// Replaces every registered secret value in `text` with "<redacted>": whole, percent-encoded,
// or any piece of 16 bytes or more of either (a server may echo a token cut or encoded).
// Anything we write (log lines, error lines, report files) passes through this.
std::string RedactSecrets(std::string text);

// Registers a value that must never be written (done by Secret's constructor; exposed for
// values that arrive as plain strings, such as request signatures).
void RegisterSecretValue(const std::string& value);

// Drops the query string and any user:password@ part of a URL: "https://h/p?X-Amz-…" →
// "https://h/p". URLs in messages and reports always pass through this. S3 URLs and ARNs
// are kept whole: their '?' and '#' belong to the key ("s3://b/q?x=1#f" is key "q?x=1#f").
std::string RedactUrl(std::string_view url);

}  // namespace s3us

#endif  // S3US_CORE_SECRET_H_

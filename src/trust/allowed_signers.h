// OpenSSH's allowed_signers file (ssh-keygen(1), "ALLOWED SIGNERS"): who may sign what.
//
//   # comment
//   PRINCIPALS [OPTIONS] KEYTYPE BASE64 [COMMENT]
//
// PRINCIPALS is a comma-separated pattern list ("*" and "?", "!" negates), optionally in
// double quotes; OPTIONS is a comma-separated list of namespaces="LIST",
// valid-after="TIME", valid-before="TIME" (TIME is YYYYMMDD[HHMM[SS]], UTC with a trailing Z
// or "UTC", local time otherwise). cert-authority lines and certificate keys are refused
// with kUnsupported: we verify plain keys only.
//
// Unlike ssh-keygen, which reads lazily and skips lines for other principals unparsed, the
// whole file is parsed up front and any bad line is an error: a trust file that does not
// say what its author meant must not half-work.
#ifndef S3US_TRUST_ALLOWED_SIGNERS_H_
#define S3US_TRUST_ALLOWED_SIGNERS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "trust/ssh_key.h"

namespace s3us::trust {

inline constexpr size_t kMaxAllowedSignersBytes = 1 << 20;

struct AllowedSigner {
  std::string principals;  // the pattern list as written (quotes removed)
  PublicKey key;
  std::optional<std::string> namespaces;  // pattern list, when restricted
  int64_t valid_after = 0;                // seconds since the epoch; 0 = unset
  int64_t valid_before = 0;
  std::string origin;  // "FILE:LINE", for messages
};

class AllowedSigners {
 public:
  // Parses one file's text; `origin` names it in errors ("line 3 of /etc/...").
  // Errors: kInvalidInput (bad line), kUnsupported (cert-authority, key type, small RSA),
  // kLimitExceeded (more than kMaxAllowedSignersBytes).
  static Result<AllowedSigners> Parse(std::string_view text, std::string_view origin);

  void Append(const AllowedSigners& more);
  const std::vector<AllowedSigner>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<AllowedSigner> entries_;
};

// OpenSSH's match_pattern_list(s, list, 0): 1 when some pattern matches and no negated
// one does, -1 when a negated pattern matches, 0 otherwise. Case-sensitive.
int MatchPatternList(std::string_view s, std::string_view list);

// Whether a principals list lets any of its own names sign: some entry that is not negated
// matches the list ("!*", "!me@example.com" and an empty list admit no one). With no
// principal asked for, a line that admits no one vouches for nothing, as under git's
// find-principals then verify -I.
bool AdmitsSomeone(std::string_view list);
// "*" and "?" glob match of a whole string.
bool MatchPattern(std::string_view s, std::string_view pattern);

// Parses an allowed_signers TIME; nullopt when malformed.
std::optional<int64_t> ParseSignerTime(std::string_view text);

}  // namespace s3us::trust

#endif  // S3US_TRUST_ALLOWED_SIGNERS_H_

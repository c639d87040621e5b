// ParseIncludeList(): the URL lists of #include, #include-once (as cloud-init's
// _do_include reads them) and #s3-include (our grammar, see parse.h).
#include <algorithm>
#include <string>

#include "core/strings.h"
#include "userdata/parse.h"
#include "userdata/py_text.h"

namespace s3us::userdata {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

Error LineError(int n, const std::string& cause) {
  return Error(ErrorCode::kInvalidInput, "line " + std::to_string(n) + ": " + cause);
}

// `held_as_str`: lines are split and stripped as in the raw-unicode-escape Python reads
// (Part::held_as_str), where no non-ASCII character is a blank or a line break: they are
// read from a copy with those bytes masked, and each URL taken from `payload` at the same
// offset.
Result<std::vector<IncludeEntry>> CloudInitIncludes(std::string_view payload, bool held_as_str) {
  std::string masked;
  if (held_as_str) {
    masked = std::string(payload);
    std::replace_if(
        masked.begin(), masked.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; },
        '\x01');
  }
  std::string_view scan = held_as_str ? std::string_view(masked) : payload;
  std::vector<IncludeEntry> out;
  bool once = false;
  int n = 0;
  size_t pos = 0;
  for (std::string_view line; PyNextLine(scan, pos, line);) {
    ++n;
    if (IStartsWith(line, "#include-once")) {
      line = PyLStrip(line.substr(13));
      once = true;
    } else if (IStartsWith(line, "#include")) {
      line = PyLStrip(line.substr(8));
      once = false;
    }
    if (line.starts_with("#")) {
      // Trust declared where it is not honoured must not pass as a comment: whoever wrote
      // it believes signatures are required.
      if (IStartsWith(line, kInlineSignerPrefix)) {
        return LineError(
            n, std::string(kInlineSignerPrefix) + " applies only inside an #s3-include part");
      }
      continue;
    }
    std::string_view url = PyStrip(line);
    if (url.empty()) continue;
    IncludeEntry e;
    e.line = n;
    e.url = std::string(payload.substr(static_cast<size_t>(url.data() - scan.data()), url.size()));
    e.once = once;
    out.push_back(std::move(e));
  }
  return out;
}

// The last blank-separated token of `line` (already trimmed), or "" if it has only one.
std::string_view LastToken(std::string_view line) {
  size_t i = line.size();
  while (i > 0 && !IsBlank(line[i - 1])) --i;
  return i == 0 ? std::string_view() : line.substr(i);
}

Result<std::string> Sha256Option(int n, std::string_view token) {
  std::string hex = ToLower(token.substr(7));
  bool ok = hex.size() == 64;
  for (char c : hex) ok = ok && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  if (!ok) return LineError(n, "sha256 must be 64 hex digits");
  return hex;
}

Result<std::string> SignerOption(int n, std::string_view token) {
  std::string_view principal = token.substr(7);
  if (principal.empty()) return LineError(n, "signer= needs a principal");
  for (char c : principal) {
    if (static_cast<unsigned char>(c) < 0x21 || c == 0x7f) {
      return LineError(n, "signer= takes a principal without control characters");
    }
  }
  return std::string(principal);
}

// One entry: options are peeled off the end while the last token is a known option not yet
// seen (sha256=, signer=, in any order); everything before them is the URL, inner blanks and
// all, so S3 keys with spaces or '=' need no quoting.
Result<IncludeEntry> S3Entry(int n, std::string_view line) {
  IncludeEntry e;
  e.line = n;
  for (std::string_view t = LastToken(line);; t = LastToken(line)) {
    Result<std::string> value = Error(ErrorCode::kInternal, "");
    if (IStartsWith(t, "sha256=") && !e.sha256) {
      value = Sha256Option(n, t);
      if (value.ok()) e.sha256 = *value;
    } else if (IStartsWith(t, "signer=") && !e.signer) {
      value = SignerOption(n, t);
      if (value.ok()) e.signer = *value;
    } else {
      break;
    }
    if (!value.ok()) return value.error();
    line = Trim(line.substr(0, line.size() - t.size()));
  }
  e.url = std::string(line);
  return e;
}

// A comment that looks like one of our directives but is none (a misspelt
// "#s3-allowed-signers") would silently drop what its writer meant: it is an error.
Status KnownDirective(int n, std::string_view line) {
  if (!IStartsWith(line, "#s3-")) return Ok();
  std::string_view word = line.substr(0, std::min(line.find_first_of(" \t"), line.size()));
  if (word.size() == kInlineSignerPrefix.size() && IStartsWith(word, kInlineSignerPrefix)) {
    return Ok();
  }
  std::string known =
      IStartsWith(word, "#s3-incl") ? "#s3-include" : std::string(kInlineSignerPrefix);
  return LineError(n, "unknown directive " + std::string(word) + ", did you mean " + known);
}

Result<std::vector<IncludeEntry>> S3Includes(std::string_view payload) {
  std::vector<IncludeEntry> out;
  int n = 0;
  // Line by line in place: a vector of every line would cost 16 bytes per line of input.
  for (size_t pos = 0; pos < payload.size();) {
    size_t end = std::min(payload.find('\n', pos), payload.size());
    std::string_view line = payload.substr(pos, end - pos);
    pos = end + 1;
    ++n;
    line = Trim(line);
    if (IStartsWith(line, "#s3-include")) {
      line = Trim(line.substr(11));
      // As cloud-init reads "#include # comment": what follows is a comment, but not one of
      // our directives, which would be lost there.
      if (IStartsWith(line, "#s3-")) {
        return LineError(n, std::string(line.substr(0, line.find_first_of(" \t"))) +
                                " after #s3-include: give it a line of its own");
      }
      if (line.starts_with("#")) continue;
    } else if (line.starts_with("#")) {
      if (Status known = KnownDirective(n, line); !known.ok()) return known.error();
      continue;
    }
    if (line.empty()) continue;
    Result<IncludeEntry> e = S3Entry(n, line);
    if (!e.ok()) return e.error();
    out.push_back(std::move(*e));
  }
  return out;
}

// An include list read whole: the fetch already bounded its size.
Result<PayloadView> ListText(const Part& part) { return part.payload.View(part.payload.size()); }

}  // namespace

Result<std::vector<InlineSignerLine>> InlineSignerLines(const Part& part) {
  std::vector<InlineSignerLine> out;
  if (part.content_type != kTypeS3Include) return out;
  Result<PayloadView> text = ListText(part);
  if (!text.ok()) return text.error();
  std::string_view payload = text->bytes();
  int n = 0;
  for (size_t pos = 0; pos < payload.size();) {
    size_t end = std::min(payload.find('\n', pos), payload.size());
    std::string_view line = Trim(payload.substr(pos, end - pos));
    pos = end + 1;
    ++n;
    if (!IStartsWith(line, kInlineSignerPrefix)) continue;
    std::string_view rest = line.substr(kInlineSignerPrefix.size());
    // "#s3-allowed-signers" or "#s3-allowed-signer-x" is not this keyword.
    if (!rest.empty() && !IsBlank(rest.front())) continue;
    out.push_back(InlineSignerLine{n, std::string(Trim(rest))});
  }
  return out;
}

Result<std::vector<IncludeEntry>> ParseIncludeList(const Part& part) {
  bool cloud_init = part.content_type == kTypeInclude || part.content_type == kTypeIncludeOnce;
  if (cloud_init || part.content_type == kTypeS3Include) {
    Result<PayloadView> text = ListText(part);
    if (!text.ok()) return text.error();
    return cloud_init ? CloudInitIncludes(text->bytes(), part.held_as_str)
                      : S3Includes(text->bytes());
  }
  return Error(ErrorCode::kInvalidInput, "part " + std::to_string(part.index) + " (" +
                                             part.content_type + ") is not an include list");
}

}  // namespace s3us::userdata

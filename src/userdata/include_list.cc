// ParseIncludeList(): the URL lists of #include, #include-once (as cloud-init's
// _do_include reads them) and #s3-include (our grammar, see parse.h).
#include <algorithm>
#include <string>

#include "core/strings.h"
#include "userdata/parse.h"
#include "userdata/py_text.h"

namespace s3us::userdata {
namespace {

Result<std::vector<IncludeEntry>> CloudInitIncludes(std::string_view payload) {
  std::vector<IncludeEntry> out;
  bool once = false;
  int n = 0;
  size_t pos = 0;
  for (std::string_view line; PyNextLine(payload, pos, line);) {
    ++n;
    if (IStartsWith(line, "#include-once")) {
      line = PyLStrip(line.substr(13));
      once = true;
    } else if (IStartsWith(line, "#include")) {
      line = PyLStrip(line.substr(8));
      once = false;
    }
    if (line.starts_with("#")) continue;
    std::string_view url = PyStrip(line);
    if (url.empty()) continue;
    IncludeEntry e;
    e.line = n;
    e.url = std::string(url);
    e.once = once;
    out.push_back(std::move(e));
  }
  return out;
}

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

std::vector<std::string_view> Tokens(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && IsBlank(s[i])) ++i;
    size_t start = i;
    while (i < s.size() && !IsBlank(s[i])) ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

Error LineError(int n, const std::string& cause) {
  return Error(ErrorCode::kInvalidInput, "line " + std::to_string(n) + ": " + cause);
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
    } else if (line.starts_with("#")) {
      continue;
    }
    std::vector<std::string_view> tokens = Tokens(line);
    if (tokens.empty()) continue;
    IncludeEntry e;
    e.line = n;
    e.url = std::string(tokens[0]);
    for (size_t k = 1; k < tokens.size(); ++k) {
      std::string_view t = tokens[k];
      if (!IStartsWith(t, "sha256=")) {
        std::string shown(t.substr(0, 80));
        return LineError(n, "unknown option '" + shown + "' (expected sha256=<64 hex digits>)");
      }
      if (e.sha256) return LineError(n, "sha256 given twice");
      std::string hex = ToLower(t.substr(7));
      bool ok = hex.size() == 64;
      for (char c : hex) ok = ok && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
      if (!ok) return LineError(n, "sha256 must be 64 hex digits");
      e.sha256 = hex;
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

Result<std::vector<IncludeEntry>> ParseIncludeList(const Part& part) {
  if (part.content_type == kTypeInclude || part.content_type == kTypeIncludeOnce) {
    return CloudInitIncludes(part.payload);
  }
  if (part.content_type == kTypeS3Include) return S3Includes(part.payload);
  return Error(ErrorCode::kInvalidInput, "part " + std::to_string(part.index) + " (" +
                                             part.content_type + ") is not an include list");
}

}  // namespace s3us::userdata

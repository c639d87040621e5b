#include "userdata/mime.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "core/strings.h"
#include "userdata/py_text.h"

namespace s3us::userdata {
namespace {

// Python's email.feedparser.headerRE: "From ", a field name of printable ASCII without ':'
// followed by ':', or a continuation blank.
bool IsHeaderLine(std::string_view line) {
  if (line.starts_with("From ")) return true;
  if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) return true;
  for (char c : line) {
    if (c == ':') return true;
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x21 || u > 0x7e) return false;
  }
  return false;
}

bool IsLineBreakStart(std::string_view line) {
  return !line.empty() && (line[0] == '\r' || line[0] == '\n');
}

enum class BoundaryMatch { kNone, kSeparator, kClose };

// feedparser's boundaryre: sep, optional "--", blanks, optional line break, end of line.
BoundaryMatch MatchBoundary(std::string_view line, std::string_view sep) {
  if (line.size() < sep.size() || line.compare(0, sep.size(), sep) != 0) {
    return BoundaryMatch::kNone;
  }
  auto rest_is_blank_eol = [](std::string_view rest) {
    size_t i = 0;
    while (i < rest.size() && (rest[i] == ' ' || rest[i] == '\t')) ++i;
    rest.remove_prefix(i);
    return rest.empty() || rest == "\r" || rest == "\n" || rest == "\r\n";
  };
  std::string_view rest = line.substr(sep.size());
  if (rest.starts_with("--") && rest_is_blank_eol(rest.substr(2))) return BoundaryMatch::kClose;
  return rest_is_blank_eol(rest) ? BoundaryMatch::kSeparator : BoundaryMatch::kNone;
}

// BufferedSubFile: lines ending in \r\n, \r or \n, with a stack of boundaries that read
// as end of input, and a one-shot end-of-input token (unreadline('') in Python).
class LineReader {
 public:
  LineReader(std::string_view text, const Passed& passed) : text_(text), passed_(passed) {}

  bool ReadLine(std::string_view* line) {
    if (eof_token_) {
      eof_token_ = false;
      return false;
    }
    if (pos_ >= text_.size()) return false;
    if (passed_) passed_(pos_);
    const char* p = text_.data();
    size_t size = text_.size();
    // The next LF is cached: CR-only input would otherwise rescan to the end per line.
    if (next_lf_ == kUnknown || next_lf_ < pos_) {
      const void* lf = std::memchr(p + pos_, '\n', size - pos_);
      next_lf_ = lf ? static_cast<size_t>(static_cast<const char*>(lf) - p) : size;
    }
    size_t end = next_lf_;
    if (const void* cr = std::memchr(p + pos_, '\r', end - pos_)) {
      end = static_cast<const char*>(cr) - p;
    }
    if (end < text_.size()) {
      end += (p[end] == '\r' && end + 1 < text_.size() && p[end + 1] == '\n') ? 2 : 1;
    }
    std::string_view l = text_.substr(pos_, end - pos_);
    if (l.size() >= 2 && l[0] == '-' && l[1] == '-') {
      for (auto it = stack_.rbegin(); it != stack_.rend(); ++it) {
        if (MatchBoundary(l, *it) != BoundaryMatch::kNone) return false;
      }
    }
    *line = l;
    pos_ = end;
    return true;
  }
  // Pushes back the line just read.
  void Unread(std::string_view line) { pos_ -= line.size(); }
  void UnreadEof() { eof_token_ = true; }
  size_t pos() const { return pos_; }
  void Push(std::string sep) { stack_.push_back(std::move(sep)); }
  void Pop() { stack_.pop_back(); }

 private:
  std::string_view text_;
  const Passed& passed_;
  size_t pos_ = 0;
  static constexpr size_t kUnknown = static_cast<size_t>(-1);
  size_t next_lf_ = kUnknown;  // position of the next LF at or after pos_, or the end
  bool eof_token_ = false;
  std::vector<std::string> stack_;
};

class FeedParser {
 public:
  FeedParser(std::string_view text, const MimeLimits& limits, const Passed& passed)
      : in_(text, passed), text_(text), limits_(limits) {}

  Status Parse(MimeEntity* e, int depth) {
    std::vector<std::string_view> header_lines;
    uint64_t header_bytes = 0;
    std::string_view line;
    while (in_.ReadLine(&line)) {
      if (!IsHeaderLine(line)) {
        e->no_blank_line = !IsLineBreakStart(line);
        if (e->no_blank_line) in_.Unread(line);
        break;
      }
      header_bytes += line.size();
      if (header_bytes > limits_.max_header_bytes) {
        return Error(ErrorCode::kLimitExceeded, Where() + "header block is over the limit of " +
                                                    std::to_string(limits_.max_header_bytes) +
                                                    " bytes");
      }
      header_lines.push_back(line);
    }
    std::string_view from_line = ParseHeaders(header_lines, e);
    std::string ctype = ContentTypeOf(*e);
    std::string_view maintype = std::string_view(ctype).substr(0, ctype.find('/'));
    if (maintype == "message") {
      return Error(ErrorCode::kInvalidInput,
                   Where() + ctype + " parts (embedded messages) are not supported");
    }
    if (maintype == "multipart") return ParseMultipart(e, ctype, depth + 1);
    if (++leaves_ > limits_.max_leaves) {
      return Error(ErrorCode::kLimitExceeded,
                   "more than " + std::to_string(limits_.max_leaves) + " mime parts");
    }
    size_t start = in_.pos();
    while (in_.ReadLine(&line)) {
    }
    e->body = text_at(start, in_.pos());
    if (!from_line.empty()) {
      e->own_body = std::make_unique<std::string>(std::string(from_line) + std::string(e->body));
      e->body = *e->own_body;
    }
    return Ok();
  }

 private:
  std::string_view text_at(size_t b, size_t e) const { return text_.substr(b, e - b); }
  std::string Where() const { return "mime part " + std::to_string(leaves_ + 1) + ": "; }

  // _parse_headers; returns a trailing "From " line that belongs to the body.
  std::string_view ParseHeaders(const std::vector<std::string_view>& lines, MimeEntity* e) {
    std::vector<std::string_view> value_lines;
    auto flush = [&] {
      if (value_lines.empty()) return;
      std::string_view first = value_lines[0];
      size_t colon = first.find(':');
      MimeHeader h;
      h.name = std::string(first.substr(0, colon));
      std::string_view v = first.substr(colon + 1);
      while (!v.empty() && (v[0] == ' ' || v[0] == '\t')) v.remove_prefix(1);
      h.value = std::string(v);
      for (size_t k = 1; k < value_lines.size(); ++k) h.value.append(value_lines[k]);
      while (!h.value.empty() && (h.value.back() == '\r' || h.value.back() == '\n')) {
        h.value.pop_back();
      }
      e->headers.push_back(std::move(h));
      value_lines.clear();
    };
    for (size_t n = 0; n < lines.size(); ++n) {
      std::string_view line = lines[n];
      if (line[0] == ' ' || line[0] == '\t') {
        if (!value_lines.empty()) value_lines.push_back(line);
        continue;
      }
      flush();
      if (line.starts_with("From ")) {
        if (n + 1 == lines.size() && n != 0) return line;
        continue;
      }
      if (line.find(':') == 0) continue;
      value_lines.push_back(line);
    }
    flush();
    return {};
  }

  Status ParseMultipart(MimeEntity* e, const std::string& ctype, int depth) {
    if (depth > limits_.max_depth) {
      return Error(ErrorCode::kLimitExceeded, Where() + "multipart nesting is deeper than " +
                                                  std::to_string(limits_.max_depth));
    }
    std::optional<std::string> boundary = ParamOf(*e, "boundary");
    if (!boundary) {
      return Error(ErrorCode::kInvalidInput, Where() + ctype + " has no boundary parameter");
    }
    e->multipart = true;
    std::string sep = "--" + std::string(PyRStrip(*boundary));
    bool preamble = true;
    bool closed = false;
    std::string_view line;
    while (in_.ReadLine(&line)) {
      BoundaryMatch m = MatchBoundary(line, sep);
      if (m == BoundaryMatch::kNone) continue;  // preamble; nothing else reaches here
      if (m == BoundaryMatch::kClose) {
        closed = true;
        break;
      }
      if (preamble) {
        preamble = false;
        in_.Unread(line);
        continue;
      }
      // Consecutive boundary lines (even a closing one) open no part.
      for (;;) {
        if (!in_.ReadLine(&line)) {
          in_.UnreadEof();
          break;
        }
        if (MatchBoundary(line, sep) == BoundaryMatch::kNone) {
          in_.Unread(line);
          break;
        }
      }
      in_.Push(sep);
      MimeEntity child;
      if (ctype == "multipart/digest") child.default_type = "message/rfc822";
      Status st = Parse(&child, depth);
      in_.Pop();
      if (!st.ok()) return st;
      // RFC 2046: the line break before a boundary belongs to the boundary.
      if (!child.multipart) child.body.remove_suffix(TrailingLineBreak(child.body));
      e->children.push_back(std::move(child));
    }
    if (preamble) {
      return Error(ErrorCode::kInvalidInput, Where() + ctype + " has no boundary line '" + sep +
                                                 "' (cloud-init would drop its content)");
    }
    if (closed) {
      while (in_.ReadLine(&line)) {
      }
    }
    return Ok();
  }

  LineReader in_;
  std::string_view text_;
  const MimeLimits& limits_;
  int leaves_ = 0;
};

}  // namespace

Result<MimeEntity> ParseMime(std::string_view text, const MimeLimits& limits,
                             const Passed& passed) {
  FeedParser parser(text, limits, passed);
  MimeEntity root;
  Status st = parser.Parse(&root, 0);
  if (!st.ok()) return std::move(st).error();
  return root;
}

const std::string* FindHeader(const MimeEntity& e, std::string_view name) {
  for (const auto& h : e.headers) {
    if (IEquals(h.name, name)) return &h.value;
  }
  return nullptr;
}

std::optional<std::string> DeclaredTypeOf(const MimeEntity& e) {
  const std::string* v = FindHeader(e, "content-type");
  if (!v) return std::nullopt;
  return ToLower(PyStrip(std::string_view(*v).substr(0, v->find(';'))));
}

bool IsWellFormedType(std::string_view declared) {
  return std::count(declared.begin(), declared.end(), '/') == 1;
}

std::string ContentTypeOf(const MimeEntity& e) {
  std::optional<std::string> declared = DeclaredTypeOf(e);
  if (!declared) return e.default_type;
  return IsWellFormedType(*declared) ? *declared : "text/plain";
}

}  // namespace s3us::userdata

#include "userdata/mime_crosscheck.h"

#include <mimetic/mimetic.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <istream>
#include <memory>
#include <streambuf>
#include <string>

#include "core/strings.h"
#include "userdata/py_text.h"

namespace s3us::userdata {
namespace {

// Reads a string_view without copying it (std::ispanstream is C++23).
class ViewBuf : public std::streambuf {
 public:
  explicit ViewBuf(std::string_view s) {
    char* p = const_cast<char*>(s.data());  // an input-only buffer never writes
    setg(p, p, p + s.size());
  }
};

size_t CountContentTypes(std::string_view text) {
  constexpr std::string_view kName = "content-type";
  size_t n = 0;
  for (size_t i = 0; i + kName.size() <= text.size(); ++i) {
    if ((text[i] | 0x20) == 'c' && IStartsWith(text.substr(i, kName.size()), kName)) ++n;
  }
  return n;
}

// mimetic reads a header block at the start of the text and after each line it takes for
// a boundary; every such line starts with "--", so treating all of them as boundaries
// over-estimates what it will read. Lines break at CR or LF; CRLF and LFCR count as one
// break, as in mimetic's parser.
Status GuardFields(std::string_view text, const CrossCheckLimits& limits) {
  bool in_header = true;
  uint64_t field = 0;
  size_t pos = 0;
  size_t line_no = 0;
  while (pos < text.size()) {
    ++line_no;
    size_t end = pos;
    while (end < text.size() && text[end] != '\r' && text[end] != '\n') ++end;
    size_t brk = 0;
    if (end < text.size()) {
      brk = 1;
      char pair = text[end] == '\r' ? '\n' : '\r';
      if (end + 1 < text.size() && text[end + 1] == pair) brk = 2;
    }
    std::string_view line = text.substr(pos, end - pos);
    if (in_header) {
      if (line.empty()) {
        in_header = false;
      } else {
        bool folded = line[0] == ' ' || line[0] == '\t';
        field = (folded ? field : 0) + line.size() + brk;
        if (field > limits.max_field_bytes) {
          return Error(ErrorCode::kLimitExceeded,
                       "mime: a header field ending on line " + std::to_string(line_no) +
                           " is over the limit of " + std::to_string(limits.max_field_bytes) +
                           " bytes");
        }
      }
    }
    if (line.starts_with("--")) {
      in_header = true;
      field = 0;
    }
    pos = end + brk;
  }
  return Ok();
}

std::string Lower(const mimetic::istring& s) { return ToLower({s.data(), s.size()}); }

// A quoted excerpt safe for a one-line error: controls and non-ASCII bytes escaped.
std::string Shown(std::string_view s) {
  constexpr size_t kMax = 40;
  std::string out = "'";
  for (char c : s.substr(0, kMax)) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (u < 0x20 || u >= 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", u);
      out += hex;
    } else {
      out += c;
    }
  }
  return out + (s.size() > kMax ? "...'" : "'");
}

std::string Parts(size_t n) { return std::to_string(n) + (n == 1 ? " part" : " parts"); }

// Walks both trees in document order; the first difference is the error.
class Comparer {
 public:
  Status Entity(const MimeEntity& ours, const mimetic::MimeEntity& theirs, bool last_child) {
    const mimetic::Header& h = theirs.header();
    bool theirs_multipart = Lower(h.contentType().type()) == "multipart";
    if (ours.multipart != theirs_multipart) {
      return Differ(std::string("cloud-init reads ") +
                    (ours.multipart ? "a multipart" : "a single part") + ", an RFC 2046 reader " +
                    (theirs_multipart ? "a multipart" : "a single part"));
    }
    if (ours.multipart) return Children(ours, theirs);
    if (Status st = Headers(ours, h); !st.ok()) return st;
    std::string body(theirs.body().begin(), theirs.body().end());
    // At the end of an unclosed multipart cloud-init drops the last line break, mimetic
    // keeps it: the same bytes either way.
    bool same = body == ours.body ||
                (last_child && body.size() > ours.body.size() && body.starts_with(ours.body) &&
                 TrailingLineBreak(body) == body.size() - ours.body.size());
    if (!same) {
      size_t at = 0;
      while (at < body.size() && at < ours.body.size() && body[at] == ours.body[at]) ++at;
      return Differ("the body differs at byte " + std::to_string(at) + ": cloud-init reads " +
                    Shown(std::string_view(ours.body).substr(at)) + ", an RFC 2046 reader " +
                    Shown(std::string_view(body).substr(at)));
    }
    ++leaves_;
    return Ok();
  }

 private:
  Status Children(const MimeEntity& ours, const mimetic::MimeEntity& theirs) {
    const mimetic::MimeEntityList& kids = theirs.body().parts();
    if (kids.size() != ours.children.size()) {
      return Differ("cloud-init reads " + Parts(ours.children.size()) +
                    " in this multipart, an RFC 2046 reader " + Parts(kids.size()) +
                    " (check the lines that start with its boundary)");
    }
    size_t i = 0;
    for (const mimetic::MimeEntity* kid : kids) {
      ++i;
      if (Status st = Entity(ours.children[i - 1], *kid, i == kids.size()); !st.ok()) return st;
    }
    return Ok();
  }

  Status Headers(const MimeEntity& ours, const mimetic::Header& h) {
    if (const std::string* ct = FindHeader(ours, "content-type")) {
      std::string declared = ToLower(PyStrip(std::string_view(*ct).substr(0, ct->find(';'))));
      // cloud-init falls back to its default for anything but type/subtype; so may we.
      if (std::count(declared.begin(), declared.end(), '/') == 1) {
        std::string joined = Lower(h.contentType().type()) + "/" + Lower(h.contentType().subtype());
        std::string theirs(PyStrip(joined));
        if (theirs == "/") theirs = "none";
        if (theirs != declared) {
          return Differ("cloud-init reads content type " + Shown(declared) +
                        ", an RFC 2046 reader " + Shown(theirs));
        }
      }
    }
    if (const std::string* cte = FindHeader(ours, "content-transfer-encoding")) {
      std::string declared = ToLower(*cte);  // not stripped: cloud-init compares it as is
      std::string theirs = Lower(h.contentTransferEncoding().mechanism());
      if (theirs != declared) {
        return Differ("cloud-init reads transfer encoding " + Shown(declared) +
                      ", an RFC 2046 reader " + Shown(theirs));
      }
    }
    return Ok();
  }

  Status Differ(const std::string& what) const {
    return Error(ErrorCode::kInvalidInput,
                 "mime part " + std::to_string(leaves_ + 1) + ": ambiguous MIME: " + what);
  }

  int leaves_ = 0;
};

}  // namespace

Status CrossCheckMime(std::string_view text, const MimeEntity& tree,
                      const CrossCheckLimits& limits) {
  size_t content_types = CountContentTypes(text);
  if (content_types > static_cast<size_t>(limits.max_content_types)) {
    return Error(ErrorCode::kLimitExceeded, "mime: " + std::to_string(content_types) +
                                                " content-type headers, over the limit of " +
                                                std::to_string(limits.max_content_types));
  }
  if (Status st = GuardFields(text, limits); !st.ok()) return st;
  std::unique_ptr<mimetic::MimeEntity> theirs;
  try {
    ViewBuf buf(text);
    std::istream in(&buf);
    theirs = std::make_unique<mimetic::MimeEntity>(in);
  } catch (const std::exception& e) {
    return Error(ErrorCode::kInvalidInput,
                 std::string("mime: an RFC 2046 reader (mimetic) failed: ") + e.what());
  }
  return Comparer().Entity(tree, *theirs, true);
}

}  // namespace s3us::userdata

#include "userdata/mime_crosscheck.h"

#include <mimetic/mimetic.h>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <exception>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/strings.h"
#include "userdata/mimetic_body.h"
#include "userdata/py_text.h"

namespace s3us::userdata {
namespace {

// A pointer seen as an input iterator. mimetic's istream constructor runs its
// input-iterator parser over istreambuf_iterator; the same template over this iterator is
// the same algorithm (it only ever advances one iterator, compares it with the end and
// reads the current byte) without a stream buffer call per byte. A raw pointer would
// select mimetic's random-access parser instead, which reads boundaries differently.
class ByteIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  ByteIterator() = default;
  explicit ByteIterator(const char* p) : p_(p) {}
  reference operator*() const { return *p_; }
  ByteIterator& operator++() {
    ++p_;
    return *this;
  }
  ByteIterator operator++(int) { return ByteIterator(p_++); }
  bool operator==(const ByteIterator& o) const { return p_ == o.p_; }
  const char* get() const { return p_; }

 private:
  const char* p_ = nullptr;
};

using Spans = std::map<const mimetic::MimeEntity*, std::string_view>;

// Thrown to stop mimetic past the part limit.
struct TooManyParts {};

// mimetic's input-iterator parser, unchanged but for one step: a leaf body is not copied.
// mimetic copies the bytes it reads in 4 KiB blocks, the whole block at a time or up to the
// start of the line it is in, and appends each block to the body; the blocks are exactly
// the bytes read, in order, so the body is the span of the text that long from where it
// started. BodyBytes() only counts those blocks (MeasureMimeticBody), so the check holds
// no copy of any body. A body that already holds a line mimetic's header reader gave it
// (not a span) is copied as mimetic does.
// The same step counts leaves (an entity whose body is read) and stops past max_leaves:
// mimetic builds about a kilobyte of entity per boundary line (16 MiB of "--B" lines took
// 1.7 GB), and ParseMime found at most max_leaves, so a reading with more is ambiguous.
class SpanParser : public mimetic::IteratorParser<ByteIterator, std::input_iterator_tag> {
 public:
  using Base = mimetic::IteratorParser<ByteIterator, std::input_iterator_tag>;
  SpanParser(mimetic::MimeEntity& root, const char* text, const Passed& passed, Spans& spans,
             int max_leaves)
      : Base(root), text_(text), passed_(passed), spans_(spans), max_leaves_(max_leaves) {}

 protected:
  void copy_until_boundary(mimetic::ParsingElem pe) override {
    if (pe == Base::peBody && ++leaves_ > max_leaves_) throw TooManyParts();
    mimetic::MimeEntity* entity = m_entityStack.top();
    if (pe != Base::peBody || !entity->body().empty()) return Base::copy_until_boundary(pe);
    const char* start = m_bit.get();
    spans_[entity] = std::string_view(start, BodyBytes());
  }

 private:
  // Base::copy_until_boundary(peBody) of mimetic 0.9.8 (parser/itparser.h) without the copy
  // (it never reads an end-of-message marker: none is ever set). Returns the bytes it would
  // have appended.
  size_t BodyBytes() {
    MimeticBody body = MeasureMimeticBody(
        text_, m_bit.get(), m_eit.get(),
        [this](std::string_view line) { return isBoundary(std::string(line)) != NoBoundary; },
        passed_);
    m_bit = ByteIterator(body.next);
    return body.bytes;
  }

  const char* text_;
  const Passed& passed_;
  Spans& spans_;
  int max_leaves_;
  int leaves_ = 0;
};

// Lines as mimetic splits them: at CR or LF, with CRLF and LFCR counting as one break.
// Returns the end of the line starting at `pos` and sets *next to the following line.
size_t LineEnd(std::string_view text, size_t pos, size_t* next) {
  size_t end = pos;
  while (end < text.size() && text[end] != '\r' && text[end] != '\n') ++end;
  *next = end;
  if (end < text.size()) {
    char pair = text[end] == '\r' ? '\n' : '\r';
    *next = end + ((end + 1 < text.size() && text[end + 1] == pair) ? 2 : 1);
  }
  return end;
}

size_t LineNumberAt(std::string_view text, size_t at) {
  size_t n = 1;
  for (size_t pos = 0, next = 0; pos < at; pos = next, ++n) LineEnd(text, pos, &next);
  return n;
}

// The next "--" at a line start at or after pos (npos: none), looked for a window at a
// time so that `passed` hears how far the search has read.
size_t NextDashLine(std::string_view text, size_t pos, const Passed& passed) {
  constexpr size_t kWindow = 1 << 20;
  auto at_line_start = [&](size_t i) {
    return i == 0 || text[i - 1] == '\n' || text[i - 1] == '\r';
  };
  while (pos < text.size()) {
    size_t end = std::min(text.size(), pos + kWindow);
    std::string_view window = text.substr(0, std::min(text.size(), end + 1));  // "--" across
    size_t d = window.find("--", pos);
    while (d != std::string_view::npos && !at_line_start(d)) d = window.find("--", d + 1);
    if (d != std::string_view::npos) return d;
    pos = end;
    if (passed) passed(pos);
  }
  return std::string_view::npos;
}

// What mimetic could read as headers: a block at the start, after each line it takes for a
// boundary, and after a block declaring an embedded message (message/*), each up to an
// empty line. Every boundary line starts with "--", so treating all such lines as
// boundaries, and any block mentioning "message" as a message, over-estimates it; between
// blocks only "--" lines are looked for, so bodies cost a substring search.
Status PreScan(std::string_view text, const CrossCheckLimits& limits, const Passed& passed) {
  size_t content_types = 0;
  bool in_header = true;
  bool embeds_message = false;
  uint64_t field = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    if (passed) passed(pos);
    if (!in_header) {
      size_t d = NextDashLine(text, pos, passed);
      if (d == std::string_view::npos) break;
      pos = d;
    }
    size_t next = 0;
    std::string_view line = text.substr(pos, LineEnd(text, pos, &next) - pos);
    if (line.starts_with("--")) {
      in_header = true;
      embeds_message = false;
      field = 0;
    } else if (line.empty()) {
      in_header = embeds_message;
      embeds_message = false;
      field = 0;
    } else {
      embeds_message = embeds_message || ToLower(line).find("message") != std::string::npos;
      bool folded = line[0] == ' ' || line[0] == '\t';
      field = (folded ? field : 0) + (next - pos);
      if (field > limits.max_field_bytes) {
        return Error(ErrorCode::kLimitExceeded,
                     "mime: a header field ending on line " +
                         std::to_string(LineNumberAt(text, pos)) + " is over the limit of " +
                         std::to_string(limits.max_field_bytes) + " bytes");
      }
      if (!folded && IStartsWith(line, "content-type") &&
          ++content_types > static_cast<size_t>(limits.max_content_types)) {
        return Error(ErrorCode::kLimitExceeded, "mime: more than " +
                                                    std::to_string(limits.max_content_types) +
                                                    " content-type headers");
      }
    }
    pos = next;
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

size_t Leaves(const MimeEntity& e) {
  if (!e.multipart) return 1;
  size_t n = 0;
  for (const MimeEntity& child : e.children) n += Leaves(child);
  return n;
}

// Walks both trees in document order; the first difference is the error.
class Comparer {
 public:
  explicit Comparer(const Spans& spans) : spans_(spans) {}

  Status Entity(const MimeEntity& ours, const mimetic::MimeEntity& theirs) {
    const mimetic::Header& h = theirs.header();
    bool theirs_multipart = Lower(h.contentType().type()) == "multipart";
    if (ours.multipart != theirs_multipart) {
      return Differ(std::string("cloud-init reads ") +
                    (ours.multipart ? "a multipart" : "a single part") + ", an RFC 2046 reader " +
                    (theirs_multipart ? "a multipart" : "a single part"));
    }
    if (ours.multipart) return Children(ours, theirs);
    if (Status st = Headers(ours, h); !st.ok()) return st;
    auto span = spans_.find(&theirs);
    std::string_view body = span != spans_.end() ? span->second : std::string_view(theirs.body());
    // The same span of the text is the same body, without reading it again.
    bool same_span = body.data() == ours.body.data() && body.size() == ours.body.size();
    // A body one line break longer is the same bytes: mimetic keeps the break before the
    // end of an unclosed multipart, and before a boundary line that straddles one of its
    // 4 KiB read blocks (about one part in 140 over 4 KiB: refusing it would refuse valid
    // user data, and the break is nothing a script or a cloud-config reads differently).
    bool same = same_span || body == ours.body ||
                (body.size() > ours.body.size() && body.starts_with(ours.body) &&
                 TrailingLineBreak(body) == body.size() - ours.body.size());
    if (!same) {
      size_t at = 0;
      while (at < body.size() && at < ours.body.size() && body[at] == ours.body[at]) ++at;
      // Sizes, not bytes: user data may hold secrets, and this line reaches logs.
      return Differ("the body differs from byte " + std::to_string(at) + ": cloud-init reads " +
                    std::to_string(ours.body.size()) + " bytes, an RFC 2046 reader " +
                    std::to_string(body.size()));
    }
    ++leaves_;
    return Ok();
  }

 private:
  Status Children(const MimeEntity& ours, const mimetic::MimeEntity& theirs) {
    const mimetic::MimeEntityList& kids = theirs.body().parts();
    if (kids.size() != ours.children.size()) {
      std::string counts = "cloud-init reads " + Parts(ours.children.size()) +
                           " in this multipart, an RFC 2046 reader " + Parts(kids.size());
      if (ours.no_blank_line) {
        return Differ("no blank line between the headers and the first boundary (" + counts + ")");
      }
      return Differ(counts + " (check the lines that start with its boundary)");
    }
    size_t i = 0;
    for (const mimetic::MimeEntity* kid : kids) {
      ++i;
      if (Status st = Entity(ours.children[i - 1], *kid); !st.ok()) return st;
    }
    return Ok();
  }

  Status Headers(const MimeEntity& ours, const mimetic::Header& h) {
    // cloud-init falls back to its default for anything but type/subtype; so may we.
    if (std::optional<std::string> declared = DeclaredTypeOf(ours);
        declared && IsWellFormedType(*declared)) {
      std::string joined = Lower(h.contentType().type()) + "/" + Lower(h.contentType().subtype());
      std::string theirs(PyStrip(joined));
      if (theirs == "/") theirs = "none";
      if (theirs != *declared) {
        return Differ("cloud-init reads content type " + Shown(*declared) +
                      ", an RFC 2046 reader " + Shown(theirs));
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

  const Spans& spans_;
  int leaves_ = 0;
};

}  // namespace

Status CrossCheckMime(std::string_view text, const MimeEntity& tree, const CrossCheckLimits& limits,
                      const Passed& passed) {
  if (Status st = PreScan(text, limits, passed); !st.ok()) return st;
  mimetic::MimeEntity theirs;
  Spans spans;
  try {
    // What MimeEntity's iterator constructor does, with the parser above.
    SpanParser parser(theirs, text.data(), passed, spans, limits.max_leaves);
    parser.run(ByteIterator(text.data()), ByteIterator(text.data() + text.size()));
  } catch (const TooManyParts&) {
    return Error(ErrorCode::kInvalidInput,
                 "mime: ambiguous MIME: cloud-init reads " + Parts(Leaves(tree)) +
                     ", an RFC 2046 reader more than " + std::to_string(limits.max_leaves) +
                     " parts (check the lines that start with its boundary)");
  } catch (const std::exception& e) {
    return Error(ErrorCode::kInvalidInput,
                 std::string("mime: an RFC 2046 reader (mimetic) failed: ") + e.what());
  }
  return Comparer(spans).Entity(tree, theirs);
}

}  // namespace s3us::userdata

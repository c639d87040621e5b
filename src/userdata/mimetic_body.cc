#include "userdata/mimetic_body.h"

#include <algorithm>
#include <cstring>

namespace s3us::userdata {
namespace {

constexpr char kCR = '\r';
constexpr char kLF = '\n';

bool IsBreak(char c) { return c == kCR || c == kLF; }
// mimetic's isnl(a, b): a two-byte line break, CR LF or LF CR.
bool IsBreakPair(char a, char b) { return IsBreak(a) && b == (a == kCR ? kLF : kCR); }

// The first CR or LF in [p, end), else end, for p that only moves forward. The next LF is
// remembered: looked for on every call, a body of CRs alone was scanned to its end once
// per CR (4 MiB of them took minutes).
class BreakFinder {
 public:
  explicit BreakFinder(const char* end) : end_(end) {}
  const char* Next(const char* p) {
    if (lf_ == nullptr || lf_ < p) {
      const void* lf = std::memchr(p, kLF, static_cast<size_t>(end_ - p));
      lf_ = lf ? static_cast<const char*>(lf) : end_;
    }
    const void* cr = std::memchr(p, kCR, static_cast<size_t>(lf_ - p));
    return cr ? static_cast<const char*>(cr) : lf_;
  }

 private:
  const char* end_;
  const char* lf_ = nullptr;
};

}  // namespace

MimeticBody MeasureMimeticBody(const char* text, const char* begin, const char* end,
                               const std::function<bool(std::string_view)>& is_boundary,
                               const Passed& passed) {
  constexpr size_t kFlushAt = 4096 - 2 - 1;  // blksz - 2 - nlsz
  const char* p = begin;
  const char* block = p;  // where the block buffer starts in the text
  size_t flushed = 0;     // bytes of the blocks appended so far
  size_t line = 0;        // sl_off: the current line's offset in the block
  BreakFinder breaks(end);
  while (p != end) {
    const char* brk = breaks.Next(p);
    // mimetic checks the block before reading each byte, the line break's included.
    const char* last_check = brk == end ? end - 1 : brk;
    for (const char* at = std::max(p, block + kFlushAt); at <= last_check;
         at = std::max(at + 1, block + kFlushAt)) {
      // A full block is appended, but for the start of a line that may be a boundary.
      size_t n = line == 0 ? static_cast<size_t>(at - block) : line;
      flushed += n;
      block += n;
      line = 0;
      if (passed) passed(static_cast<size_t>(block - text));
    }
    if (brk == end) break;
    const bool empty = brk == p;  // no byte since the last break
    const char c = *brk;
    p = brk + 1;
    if (p != end && *p == (c == kCR ? kLF : kCR)) ++p;
    const char* l = block + line;
    if (!empty && brk - l >= 2 && l[0] == '-' && l[1] == '-' &&
        is_boundary(std::string_view(l, static_cast<size_t>(brk - l)))) {
      // The line break before the boundary is dropped when it is in this block.
      if (line >= 2 && IsBreakPair(block[line - 1], block[line - 2])) {
        line -= 2;
      } else if (line >= 1 && IsBreak(block[line - 1])) {
        --line;
      }
      return {flushed + line, p};
    }
    line = static_cast<size_t>(p - block);
    if (passed) passed(static_cast<size_t>(p - text));
  }
  return {flushed + static_cast<size_t>(end - block), end};
}

}  // namespace s3us::userdata

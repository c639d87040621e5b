// MeasureMimeticBody against mimetic 0.9.8's body loop as written (parser/itparser.h,
// copy_until_boundary(peBody)), transcribed below a byte at a time: the same bytes appended,
// the same place to go on from and the same progress reports, for bodies of every line
// shape around the 4093-byte block ends.
#include "userdata/mimetic_body.h"

#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

namespace s3us::userdata {
namespace {

struct Measured {
  size_t bytes = 0;
  size_t next = 0;
  std::vector<size_t> passed;
  bool operator==(const Measured&) const = default;
};

bool IsBoundary(std::string_view line) {
  return line == "--XX" || line == "--XX--" || line == "--XX  ";
}

Measured Reference(const std::string& text, size_t start) {
  constexpr size_t kFlushAt = 4093;
  auto isnl = [](char c) { return c == '\r' || c == '\n'; };
  Measured m;
  const char* bit = text.data() + start;
  const char* eit = text.data() + text.size();
  const char* block = bit;
  size_t flushed = 0, line = 0, pos = 0;
  while (bit != eit) {
    if (size_t used = static_cast<size_t>(bit - block); used >= kFlushAt) {
      size_t n = line == 0 ? used : line;
      flushed += n;
      block += n;
      line = 0;
      m.passed.push_back(static_cast<size_t>(block - text.data()));
    }
    char c = *bit;
    if (!isnl(c)) {
      ++pos;
      ++bit;
      continue;
    }
    const char* line_end = bit;
    if (++bit != eit && *bit == (c == '\r' ? '\n' : '\r')) ++bit;
    const char* l = block + line;
    if (pos != 0 && line_end - l >= 2 && l[0] == '-' && l[1] == '-' &&
        IsBoundary(std::string_view(l, static_cast<size_t>(line_end - l)))) {
      if (line >= 2 && isnl(block[line - 1]) &&
          block[line - 2] == (block[line - 1] == '\r' ? '\n' : '\r')) {
        line -= 2;
      } else if (line >= 1 && isnl(block[line - 1])) {
        --line;
      }
      m.bytes = flushed + line;
      m.next = static_cast<size_t>(bit - text.data());
      return m;
    }
    line = static_cast<size_t>(bit - block);
    pos = 0;
    m.passed.push_back(static_cast<size_t>(bit - text.data()));
  }
  m.bytes = flushed + static_cast<size_t>(bit - block);
  m.next = text.size();
  return m;
}

Measured Fast(const std::string& text, size_t start) {
  Measured m;
  MimeticBody body =
      MeasureMimeticBody(text.data(), text.data() + start, text.data() + text.size(), IsBoundary,
                         [&](size_t offset) { m.passed.push_back(offset); });
  m.bytes = body.bytes;
  m.next = static_cast<size_t>(body.next - text.data());
  return m;
}

TEST_CASE("MeasureMimeticBody counts as mimetic's byte loop does") {
  CHECK(Fast("", 0) == Reference("", 0));
  CHECK(Fast("abc\n--XX\nrest", 0).bytes == 3);
  CHECK(Fast("abc\n--XX\nrest", 0).next == 9);
  CHECK(Fast("abc\r\n--XX--\r\n", 0).bytes == 3);
  CHECK(Fast("\n--XX\n", 0).bytes == 0);
  // A boundary line at the very start of a line of its own block keeps the break before it.
  std::string straddle = std::string(4092, 'a') + "\n--XX\n";
  CHECK(Fast(straddle, 0) == Reference(straddle, 0));

  // Generated bodies: runs longer than a block, CR LF / LF CR / lone CR and LF, boundary
  // lines and near-boundaries, placed around the block ends.
  std::mt19937_64 rng(20261207);
  const char* pieces[] = {"a", "\n", "\r", "\r\n", "\n\r", "--XX", "--XX--", "-", "--XX  ", "--"};
  for (int i = 0; i < 3000; ++i) {
    std::string text;
    const size_t size = rng() % 13000;
    while (text.size() < size) {
      const size_t k = rng() % 12;
      if (k == 10) {
        text += std::string(rng() % 5000, 'a');
      } else if (k == 11) {
        text += std::string(rng() % 120, 'x') + "\r\n";
      } else {
        text += pieces[k];
      }
    }
    if (i % 3 == 0 && text.size() > 4100) text.insert(4080 + rng() % 30, "\n--XX\n");
    const size_t start = text.empty() ? 0 : rng() % std::min<size_t>(text.size(), 8);
    INFO("case " << i << ", " << text.size() << " bytes from " << start);
    REQUIRE(Fast(text, start) == Reference(text, start));
  }
}

}  // namespace
}  // namespace s3us::userdata

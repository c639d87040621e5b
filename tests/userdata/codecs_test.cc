#include "userdata/codecs.h"

#include <catch2/catch.hpp>
#include <cctype>

namespace s3us::userdata {
namespace {

TEST_CASE("DecodeBase64Email follows Python's decode_b") {
  struct Case {
    const char* in;
    const char* out;
  };
  // Expected values are what Python 3.11's email package returns.
  const Case cases[] = {
      {"aGVsbG8=", "hello"},
      {"aGVsbG8", "hello"},  // missing padding is added
      {"aGVs\r\nbG8=", "hello"},
      {"aGVsbG8=aGk=", "hello"},  // stops at padding
      {"a G V s b G 8 =", "hello"},
      {"*aGVsbG8=", "hello"},  // junk skipped
      {"abcde", "abcde"},      // length 1 mod 4: returned as is
      // Whole quads first, decoded in one pass, then the rest as email would go on with it.
      {"aGVsbG8gd29y\r\nbGQ=", "hello world"},
      {"aGVsbG8gd29y\nbGQ", "hello world"},
      {"aGVsbG8gd29y*bGQh", "hello world!"},
      {"aGVsbG8gd29y\nbGQh=aGk=", "hello world!hi"},
      {"aGVsbG8gd29y\nbG", "hello worl"},
      {"aGVsbG8gd29y\nabcde", "aGVsbG8gd29yabcde"},  // the whole text, not just the tail
      {"aGVs\nbG8g\nd29y\n", "hello wor"},
      {"aGVsbG8gd29y\n=bGQ=", "hello world"},
  };
  for (const auto& c : cases) {
    INFO(c.in);
    CHECK(DecodeBase64Email(c.in) == c.out);
  }
}

TEST_CASE("DecodeBase64Strict takes whole base64 only, as binascii's strict mode") {
  // Expected values are what binascii.a2b_base64(strict_mode=True) returns on the text
  // without its blanks (None where it raises or the length is not a multiple of 4).
  CHECK(DecodeBase64Strict("aGVsbG8gd29y\r\nbGQ=") == "hello world");
  CHECK(DecodeBase64Strict("aGVs bG8g\td29y\nbGQh") == "hello world!");
  CHECK(DecodeBase64Strict("aGVsbG8gd29y\nbGQ=\n") == "hello world");
  CHECK(DecodeBase64Strict("") == "");
  CHECK_FALSE(DecodeBase64Strict("aGVsbG8gd29y\nbGQ"));
  CHECK_FALSE(DecodeBase64Strict("aGVsbG8gd29y\n=bGQ="));
  CHECK_FALSE(DecodeBase64Strict("aGVsbG8gd29y*bGQh"));
  CHECK_FALSE(DecodeBase64Strict("aGVsbG8gd29ybGQ=aGk="));
  CHECK_FALSE(DecodeBase64Strict("aGVsbG8gd29y=bGQ"));
}

TEST_CASE("DecodeQuotedPrintable follows binascii.a2b_qp") {
  CHECK(DecodeQuotedPrintable("a=3Db") == "a=b");
  CHECK(DecodeQuotedPrintable("soft=\nbreak") == "softbreak");
  CHECK(DecodeQuotedPrintable("soft=\r\nbreak") == "softbreak");
  CHECK(DecodeQuotedPrintable("keep  \nspaces") == "keep  \nspaces");
  CHECK(DecodeQuotedPrintable("bad=ZZ") == "bad=ZZ");
  CHECK(DecodeQuotedPrintable("double==") == "double=");
  CHECK(DecodeQuotedPrintable("end=") == "end");
  CHECK(DecodeQuotedPrintable("crlf\r\nkept") == "crlf\r\nkept");
}

// `n` pseudo-random bytes into `plain`; returns their base64 on one line.
std::string Base64Flat(size_t n, std::string* plain) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  uint32_t x = 12345;
  plain->resize(n);
  for (size_t i = 0; i < n; ++i) {
    x = x * 1103515245 + 12345;
    (*plain)[i] = static_cast<char>(x >> 16);
  }
  std::string flat((n + 2) / 3 * 4, '=');
  for (size_t i = 0, o = 0; i < n; i += 3, o += 4) {
    uint32_t v = static_cast<unsigned char>((*plain)[i]) << 16;
    if (i + 1 < n) v |= static_cast<unsigned char>((*plain)[i + 1]) << 8;
    if (i + 2 < n) v |= static_cast<unsigned char>((*plain)[i + 2]);
    flat[o] = alphabet[v >> 18 & 63];
    flat[o + 1] = alphabet[v >> 12 & 63];
    if (i + 1 < n) flat[o + 2] = alphabet[v >> 6 & 63];
    if (i + 2 < n) flat[o + 3] = alphabet[v & 63];
  }
  return flat;
}

// `flat` in lines of `width` ended by `eol`.
std::string Lines(const std::string& flat, size_t width, const char* eol) {
  std::string body;
  for (size_t at = 0; at < flat.size(); at += width) body.append(flat, at, width).append(eol);
  return body;
}

// A body of `n` pseudo-random bytes, base64 with lines of `width` ended by `eol`.
std::string Base64Lines(size_t n, size_t width, const char* eol, std::string* plain) {
  return Lines(Base64Flat(n, plain), width, eol);
}

// The pieces a streaming decoder hands out, checked as they come: bounded, with the input
// read so far never going back and ending at the whole body.
struct Pieces {
  std::string bytes;
  size_t count = 0;
  size_t read_to = 0;
  DecodedSink Sink(size_t body_size) {
    return [this, body_size](std::string_view piece, size_t read) {
      CHECK(piece.size() <= (size_t{256} << 10) + 8);
      CHECK(read >= read_to);
      CHECK(read <= body_size);
      read_to = read;
      bytes.append(piece);
      ++count;
      return true;
    };
  }
};

TEST_CASE("the base64 decoders hand out a large body in bounded pieces, as the whole decodes") {
  for (size_t n : {size_t{3} << 20, (size_t{3} << 20) + 1, (size_t{3} << 20) + 2}) {
    std::string plain;
    const std::string flat = Base64Flat(n, &plain);
    for (size_t width : {76, 75, 64, 4096}) {
      for (const char* eol : {"\n", "\r\n"}) {
        INFO(width << " " << n);
        std::string body = Lines(flat, width, eol);
        Pieces email, strict;
        CHECK(DecodeBase64EmailTo(body, email.Sink(body.size())) == DecodeOutcome::kDecoded);
        CHECK(email.bytes == plain);
        CHECK(email.count > 10);
        CHECK(email.read_to == body.size());
        CHECK(DecodeBase64StrictTo(body, strict.Sink(body.size())) == DecodeOutcome::kDecoded);
        CHECK(strict.bytes == plain);
        CHECK(DecodeBase64Email(body) == plain);
      }
    }
  }
}

TEST_CASE("a large body email cannot decode is refused after pieces went out, then kept as text") {
  std::string plain;
  std::string body = Base64Lines((size_t{1} << 20) + 2, 76, "\n", &plain) + "abcde\n";
  Pieces pieces;
  CHECK(DecodeBase64EmailTo(body, pieces.Sink(body.size())) == DecodeOutcome::kRefused);
  CHECK(pieces.count > 1);  // the prefix went out before the tail was found undecodable
  std::string text;
  for (char c : body) {
    if (c != '\n') text += c;
  }
  CHECK(DecodeBase64Email(body) == text);
  Pieces strict;
  CHECK(DecodeBase64StrictTo(body, strict.Sink(body.size())) == DecodeOutcome::kRefused);
}

TEST_CASE("a streaming decoder stops when its sink says so") {
  std::string plain;
  std::string body = Base64Lines(size_t{2} << 20, 76, "\n", &plain);
  size_t calls = 0;
  auto stop = [&calls](std::string_view, size_t) { return ++calls < 2; };
  CHECK(DecodeBase64EmailTo(body, stop) == DecodeOutcome::kStopped);
  CHECK(calls == 2);
  calls = 0;
  CHECK(DecodeQuotedPrintableTo(std::string(1 << 20, 'a') + "\n" + std::string(1 << 20, 'b'),
                                stop) == DecodeOutcome::kStopped);
  calls = 0;
  CHECK(StripLineBreaksTo(body, stop) == DecodeOutcome::kStopped);
}

// binascii.a2b_qp(header=False), written plainly.
std::string ReferenceA2bQp(std::string_view s) {
  auto hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (s[i] != '=') {
      out += s[i++];
    } else if (i + 1 == s.size()) {
      break;
    } else if (s[i + 1] == '\n') {
      i += 2;
    } else if (s[i + 1] == '\r') {
      size_t nl = s.find('\n', i);
      i = nl == std::string_view::npos ? s.size() : nl + 1;
    } else if (s[i + 1] == '=') {
      out += '=';
      i += 2;
    } else if (i + 2 < s.size() && hex(s[i + 1]) && hex(s[i + 2])) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 3;
    } else {
      out += '=';
      ++i;
    }
  }
  return out;
}

TEST_CASE("quoted-printable is decoded in bounded pieces, as the whole decodes") {
  // Escapes and soft line breaks of every kind, placed so that some straddle each 256 KiB
  // mark, and one long line with no line feed at all. Against a plain byte-at-a-time
  // reading of binascii.a2b_qp.
  std::string body;
  const char* bits[] = {"=3D", "=\n", "=\r\n",       "=\rjunk to the line feed\n",
                        "==",  "=ZZ", "plain text ", "\n",
                        "=4",  "\r\n"};
  for (size_t i = 0; body.size() < (size_t{3} << 20); ++i) body += bits[(i * 7) % 10];
  body += std::string(600 << 10, 'x') + "=41=";
  Pieces pieces;
  CHECK(DecodeQuotedPrintableTo(body, pieces.Sink(body.size())) == DecodeOutcome::kDecoded);
  CHECK(pieces.bytes == ReferenceA2bQp(body));
  CHECK(pieces.count > 4);
  CHECK(pieces.read_to == body.size());
  Pieces stripped;
  CHECK(StripLineBreaksTo(body, stripped.Sink(body.size())) == DecodeOutcome::kDecoded);
  std::string expected;
  for (char c : body) {
    if (c != '\r' && c != '\n') expected += c;
  }
  CHECK(stripped.bytes == expected);
}

}  // namespace
}  // namespace s3us::userdata

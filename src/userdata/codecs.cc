#include "userdata/codecs.h"

#include <algorithm>
#include <array>
#include <optional>

#include "core/strings.h"

namespace s3us::userdata {
namespace {

constexpr std::array<int8_t, 256> MakeBase64Table() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(alphabet[i])] = static_cast<int8_t>(i);
  return t;
}
constexpr std::array<int8_t, 256> kBase64 = MakeBase64Table();

// binascii.a2b_base64(s, strict_mode) of CPython 3.11; nullopt where it raises.
std::optional<std::string> A2bBase64(std::string_view s, bool strict) {
  std::string out;
  out.reserve(s.size() / 4 * 3 + 3);
  if (strict && !s.empty() && s[0] == '=') return std::nullopt;
  int quad_pos = 0, pads = 0;
  bool padding_started = false;
  unsigned leftchar = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    // Fast path: whole quads of alphabet characters, no padding seen yet.
    while (quad_pos == 0 && !padding_started && i + 4 <= s.size()) {
      int a = kBase64[static_cast<unsigned char>(s[i])];
      int b = kBase64[static_cast<unsigned char>(s[i + 1])];
      int c = kBase64[static_cast<unsigned char>(s[i + 2])];
      int d = kBase64[static_cast<unsigned char>(s[i + 3])];
      if ((a | b | c | d) < 0) break;
      unsigned v = static_cast<unsigned>(a << 18 | b << 12 | c << 6 | d);
      char bytes[3] = {static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
      out.append(bytes, 3);
      pads = 0;
      i += 4;
    }
    if (i >= s.size()) break;
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '=') {
      padding_started = true;
      if (strict && quad_pos == 0) return std::nullopt;
      if (quad_pos >= 2 && quad_pos + ++pads >= 4) {
        if (strict && i + 1 < s.size()) return std::nullopt;
        return out;
      }
      continue;
    }
    int v = kBase64[c];
    if (v < 0) {
      if (strict) return std::nullopt;
      continue;
    }
    if (strict && padding_started) return std::nullopt;
    pads = 0;
    switch (quad_pos) {
      case 0:
        quad_pos = 1;
        leftchar = static_cast<unsigned>(v);
        break;
      case 1:
        quad_pos = 2;
        out.push_back(static_cast<char>((leftchar << 2) | (static_cast<unsigned>(v) >> 4)));
        leftchar = static_cast<unsigned>(v) & 0x0f;
        break;
      case 2:
        quad_pos = 3;
        out.push_back(static_cast<char>((leftchar << 4) | (static_cast<unsigned>(v) >> 2)));
        leftchar = static_cast<unsigned>(v) & 0x03;
        break;
      default:
        quad_pos = 0;
        out.push_back(static_cast<char>((leftchar << 6) | static_cast<unsigned>(v)));
        leftchar = 0;
        break;
    }
  }
  if (quad_pos != 0) return std::nullopt;
  return out;
}

// Collects a decoder's output in pieces of about kPieceBytes before handing them to the
// sink, so a large body is never decoded whole in memory.
class PieceWriter {
 public:
  static constexpr size_t kPieceBytes = size_t{256} << 10;

  // `most`: the most bytes the decoder can give (a small body needs a small buffer).
  PieceWriter(const DecodedSink& out, size_t most)
      : out_(out), buf_(std::min(most, kPieceBytes) + 8, '\0') {}

  // Where the next bytes go; at least 3 bytes of room while !full().
  char* dst = nullptr;
  char* begin() { return buf_.data(); }
  bool full() const { return dst >= buf_.data() + buf_.size() - 8; }
  // Hands what is collected to the sink, having read the input to `read_to`; false when
  // the sink stopped.
  bool Flush(size_t read_to) {
    size_t n = static_cast<size_t>(dst - buf_.data());
    dst = buf_.data();
    return out_(std::string_view(buf_.data(), n), read_to);
  }

 private:
  const DecodedSink& out_;
  std::string buf_;
};

// Decodes the leading whole quads of alphabet characters of a base64 body, skipping the
// line breaks (and, with `blanks`, spaces and tabs) between them, into w; returns where the
// first quad that holds anything else (padding, a stray byte) starts, or npos when the sink
// stopped. A2bBase64 is in its initial state at every quad boundary of such a prefix, so
// decoding the rest on its own continues it exactly. What is decoded past the last flush is
// left in w.
size_t DecodeQuadPrefix(std::string_view body, bool blanks, PieceWriter& w) {
  const unsigned char* in = reinterpret_cast<const unsigned char*>(body.data());
  w.dst = w.begin();
  size_t quad_start = 0;
  int got = 0;
  unsigned v = 0;
  for (size_t i = 0; i < body.size();) {
    if (w.full() && !w.Flush(quad_start)) return std::string_view::npos;
    // A whole quad in a row (the common case: lines of 76 are 19 quads); a line break or
    // anything else is -1 in the table and takes the byte-at-a-time path below.
    if (got == 0 && i + 4 <= body.size()) {
      int a = kBase64[in[i]], b = kBase64[in[i + 1]], c = kBase64[in[i + 2]],
          d = kBase64[in[i + 3]];
      if ((a | b | c | d) >= 0) {
        unsigned q = static_cast<unsigned>(a << 18 | b << 12 | c << 6 | d);
        w.dst[0] = static_cast<char>(q >> 16);
        w.dst[1] = static_cast<char>(q >> 8);
        w.dst[2] = static_cast<char>(q);
        w.dst += 3;
        i += 4;
        quad_start = i;
        continue;
      }
    }
    unsigned char ch = in[i++];
    if (ch == '\n' || ch == '\r' || (blanks && (ch == ' ' || ch == '\t'))) continue;
    int d = kBase64[ch];
    if (d < 0) break;
    v = v << 6 | static_cast<unsigned>(d);
    if (++got == 4) {
      w.dst[0] = static_cast<char>(v >> 16);
      w.dst[1] = static_cast<char>(v >> 8);
      w.dst[2] = static_cast<char>(v);
      w.dst += 3;
      got = 0;
      v = 0;
      quad_start = i;
    }
  }
  return quad_start;
}

// email's base64 decoding of `body` with its line breaks dropped (see DecodeBase64Email);
// nullopt where email gives up and keeps the text as it is.
std::optional<std::string> DecodeEmailBase64Text(std::string_view body) {
  // The body without its line breaks, plus room for the padding tried below: one buffer,
  // written branch-free (a byte is kept by advancing past it).
  std::string encoded(body.size() + 3, '\0');
  size_t n = 0;
  for (char c : body) {
    encoded[n] = c;
    n += (c != '\r' && c != '\n');
  }
  size_t pad_err = n % 4;
  encoded.resize(n);
  encoded.append(pad_err ? 4 - pad_err : 0, '=');
  if (auto r = A2bBase64(encoded, true)) return r;
  encoded.resize(n);
  if (auto r = A2bBase64(encoded, false)) return r;
  encoded.append("==");
  return A2bBase64(encoded, false);
}

// The rest of a strict base64 body after its whole quads: blanks dropped, then whole strict
// base64; nullopt otherwise.
std::optional<std::string> DecodeStrictTail(std::string_view body) {
  std::string encoded;
  encoded.reserve(body.size());
  for (char c : body) {
    if (c != '\r' && c != '\n' && c != ' ' && c != '\t') encoded += c;
  }
  if (encoded.size() % 4 != 0) return std::nullopt;
  return A2bBase64(encoded, true);
}

// Most of a body is whole quads, streamed; the rest (the padded last quad; everything from
// a stray byte on) is decoded by `tail` in memory. kRefused when `tail` gives nullopt.
DecodeOutcome DecodeBase64With(std::string_view body, bool blanks, const DecodedSink& out,
                               std::optional<std::string> (*tail)(std::string_view)) {
  PieceWriter w(out, body.size() / 4 * 3 + 3);
  size_t rest = DecodeQuadPrefix(body, blanks, w);
  if (rest == std::string_view::npos) return DecodeOutcome::kStopped;
  if (rest < body.size()) {
    std::optional<std::string> decoded = tail(body.substr(rest));
    if (!decoded) return DecodeOutcome::kRefused;
    if (!w.Flush(rest) || !out(*decoded, body.size())) return DecodeOutcome::kStopped;
    return DecodeOutcome::kDecoded;
  }
  return w.Flush(body.size()) ? DecodeOutcome::kDecoded : DecodeOutcome::kStopped;
}

// The decoder's output collected in memory; nullopt when it refused.
std::optional<std::string> Collect(std::string_view body,
                                   DecodeOutcome (*decode)(std::string_view, const DecodedSink&)) {
  std::string out;
  DecodeOutcome outcome = decode(body, [&out](std::string_view piece, size_t) {
    out.append(piece);
    return true;
  });
  if (outcome != DecodeOutcome::kDecoded) return std::nullopt;
  return out;
}

}  // namespace

DecodeOutcome DecodeBase64EmailTo(std::string_view body, const DecodedSink& out) {
  return DecodeBase64With(body, false, out, DecodeEmailBase64Text);
}

DecodeOutcome DecodeBase64StrictTo(std::string_view body, const DecodedSink& out) {
  return DecodeBase64With(body, true, out, DecodeStrictTail);
}

DecodeOutcome DecodeQuotedPrintableTo(std::string_view s, const DecodedSink& out) {
  PieceWriter w(out, s.size());
  w.dst = w.begin();
  size_t in = 0;
  while (in < s.size()) {
    if (w.full() && !w.Flush(in)) return DecodeOutcome::kStopped;
    if (s[in] != '=') {
      *w.dst++ = s[in++];
      continue;
    }
    ++in;
    if (in >= s.size()) break;
    if (s[in] == '\n' || s[in] == '\r') {
      if (s[in] != '\n') {
        while (in < s.size() && s[in] != '\n') ++in;
      }
      if (in < s.size()) ++in;
    } else if (s[in] == '=') {
      *w.dst++ = '=';
      ++in;
    } else if (in + 1 < s.size() && HexDigitValue(s[in]) >= 0 && HexDigitValue(s[in + 1]) >= 0) {
      *w.dst++ = static_cast<char>(HexDigitValue(s[in]) << 4 | HexDigitValue(s[in + 1]));
      in += 2;
    } else {
      *w.dst++ = '=';
    }
  }
  return w.Flush(s.size()) ? DecodeOutcome::kDecoded : DecodeOutcome::kStopped;
}

DecodeOutcome StripLineBreaksTo(std::string_view body, const DecodedSink& out) {
  PieceWriter w(out, body.size());
  w.dst = w.begin();
  for (size_t i = 0; i < body.size(); ++i) {
    *w.dst = body[i];
    w.dst += (body[i] != '\r' && body[i] != '\n');
    if (w.full() && !w.Flush(i + 1)) return DecodeOutcome::kStopped;
  }
  return w.Flush(body.size()) ? DecodeOutcome::kDecoded : DecodeOutcome::kStopped;
}

std::string DecodeBase64Email(std::string_view body) {
  if (std::optional<std::string> decoded = Collect(body, DecodeBase64EmailTo)) return *decoded;
  return *Collect(body, StripLineBreaksTo);
}

std::optional<std::string> DecodeBase64Lenient(std::string_view s) { return A2bBase64(s, false); }

std::optional<std::string> DecodeBase64Strict(std::string_view body) {
  return Collect(body, DecodeBase64StrictTo);
}

Result<TransferEncoding> TransferEncodingOf(std::string_view cte) {
  if (cte == "base64") return TransferEncoding::kBase64;
  if (cte == "quoted-printable") return TransferEncoding::kQuotedPrintable;
  if (cte == "x-uuencode" || cte == "uuencode" || cte == "uue" || cte == "x-uue") {
    return Error(ErrorCode::kInvalidInput,
                 "content-transfer-encoding " + std::string(cte) + " is not supported");
  }
  return TransferEncoding::kNone;
}

std::string DecodeQuotedPrintable(std::string_view body) {
  return *Collect(body, DecodeQuotedPrintableTo);
}

}  // namespace s3us::userdata

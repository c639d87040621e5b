#include "userdata/codecs.h"

#include <zlib.h>

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

uint32_t ReadLe32(std::string_view s, size_t at) {
  uint32_t v = 0;
  for (int k = 3; k >= 0; --k) v = (v << 8) | static_cast<unsigned char>(s[at + k]);
  return v;
}

GunzipResult Fail(GunzipStatus status, std::string cause) {
  GunzipResult r;
  r.status = status;
  r.cause = std::move(cause);
  return r;
}

constexpr const char* kTruncated =
    "compressed file ended before the end-of-stream marker was reached";

// Skips the member header at `*pos`; returns a cause on failure.
std::optional<std::string> SkipHeader(std::string_view in, size_t* pos) {
  size_t p = *pos;
  if (in.size() - p < 2 || !HasGzipMagic(in.substr(p))) return "not a gzipped file";
  if (in.size() - p < 10) return kTruncated;
  if (static_cast<unsigned char>(in[p + 2]) != 8) return "unknown compression method";
  unsigned flags = static_cast<unsigned char>(in[p + 3]);
  p += 10;
  if (flags & 4) {  // FEXTRA
    if (in.size() - p < 2) return kTruncated;
    size_t xlen = static_cast<unsigned char>(in[p]) | (static_cast<unsigned char>(in[p + 1]) << 8);
    p += 2;
    if (in.size() - p < xlen) return kTruncated;
    p += xlen;
  }
  for (unsigned flag : {8u, 16u}) {  // FNAME, FCOMMENT: NUL-terminated
    if (!(flags & flag)) continue;
    size_t nul = in.find('\0', p);
    if (nul == std::string_view::npos) return kTruncated;
    p = nul + 1;
  }
  if (flags & 2) {  // FHCRC: read and ignored, as Python does
    if (in.size() - p < 2) return kTruncated;
    p += 2;
  }
  *pos = p;
  return std::nullopt;
}

// Decodes the leading whole quads of alphabet characters of a base64 body, skipping the
// line breaks (and, with `blanks`, spaces and tabs) between them, into out; returns where the first
// quad that holds anything else (padding, a stray byte) starts. A2bBase64 is in its initial state
// at every quad boundary of such a prefix, so decoding the rest on its own continues it exactly.
size_t DecodeQuadPrefix(std::string_view body, bool blanks, std::string& out) {
  out.resize(body.size() / 4 * 3 + 3);
  const unsigned char* in = reinterpret_cast<const unsigned char*>(body.data());
  char* dst = out.data();
  size_t quad_start = 0;
  int got = 0;
  unsigned v = 0;
  for (size_t i = 0; i < body.size();) {
    // A whole quad in a row (the common case: lines of 76 are 19 quads); a line break or
    // anything else is -1 in the table and takes the byte-at-a-time path below.
    if (got == 0 && i + 4 <= body.size()) {
      int a = kBase64[in[i]], b = kBase64[in[i + 1]], c = kBase64[in[i + 2]],
          d = kBase64[in[i + 3]];
      if ((a | b | c | d) >= 0) {
        unsigned q = static_cast<unsigned>(a << 18 | b << 12 | c << 6 | d);
        dst[0] = static_cast<char>(q >> 16);
        dst[1] = static_cast<char>(q >> 8);
        dst[2] = static_cast<char>(q);
        dst += 3;
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
      dst[0] = static_cast<char>(v >> 16);
      dst[1] = static_cast<char>(v >> 8);
      dst[2] = static_cast<char>(v);
      dst += 3;
      got = 0;
      v = 0;
      quad_start = i;
    }
  }
  out.resize(static_cast<size_t>(dst - out.data()));
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

}  // namespace

std::string DecodeBase64Email(std::string_view body) {
  // Most of a body is whole quads: decoded in one pass, without a stripped copy first.
  std::string out;
  size_t rest = DecodeQuadPrefix(body, false, out);
  if (rest == body.size()) return out;
  if (std::optional<std::string> tail = DecodeEmailBase64Text(body.substr(rest))) {
    return out.append(*tail);
  }
  std::string text;
  text.reserve(body.size());
  for (char c : body) {
    if (c != '\r' && c != '\n') text += c;
  }
  return text;
}

std::optional<std::string> DecodeBase64Lenient(std::string_view s) { return A2bBase64(s, false); }

std::optional<std::string> DecodeBase64Strict(std::string_view body) {
  std::string out;
  body = body.substr(DecodeQuadPrefix(body, true, out));
  std::string encoded;
  encoded.reserve(body.size());
  for (char c : body) {
    if (c != '\r' && c != '\n' && c != ' ' && c != '\t') encoded += c;
  }
  if (encoded.size() % 4 != 0) return std::nullopt;
  std::optional<std::string> tail = A2bBase64(encoded, true);
  if (!tail) return std::nullopt;
  return out.append(*tail);
}

std::string DecodeQuotedPrintable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t in = 0;
  while (in < s.size()) {
    if (s[in] != '=') {
      out.push_back(s[in++]);
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
      out.push_back('=');
      ++in;
    } else if (in + 1 < s.size() && HexDigitValue(s[in]) >= 0 && HexDigitValue(s[in + 1]) >= 0) {
      out.push_back(static_cast<char>(HexDigitValue(s[in]) << 4 | HexDigitValue(s[in + 1])));
      in += 2;
    } else {
      out.push_back('=');
    }
  }
  return out;
}

GunzipResult Gunzip(std::string_view in, uint64_t* budget) {
  std::string data;
  GunzipResult result = GunzipTo(in, budget, [&data](std::string_view chunk) {
    data.append(chunk);
    return true;
  });
  if (result.status == GunzipStatus::kOk) result.data = std::move(data);
  return result;
}

GunzipResult GunzipTo(std::string_view in, uint64_t* budget,
                      const std::function<bool(std::string_view)>& out) {
  GunzipResult result;
  size_t pos = 0;
  std::array<unsigned char, 64 * 1024> buf;
  while (pos < in.size()) {
    if (auto cause = SkipHeader(in, &pos)) return Fail(GunzipStatus::kInvalid, *cause);
    z_stream zs{};
    if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) return Fail(GunzipStatus::kInvalid, "zlib init");
    uLong crc = crc32(0, nullptr, 0);
    uint64_t produced = 0;
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + pos));
    // Feed at most 1 GiB per call; zlib's counters are 32-bit.
    size_t remaining = in.size() - pos;
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
      if (zs.avail_in == 0) {
        if (remaining == 0) break;
        zs.avail_in = static_cast<uInt>(std::min<size_t>(remaining, 1u << 30));
        remaining -= zs.avail_in;
      }
      zs.next_out = buf.data();
      zs.avail_out = buf.size();
      rc = inflate(&zs, Z_NO_FLUSH);
      if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
        std::string msg = zs.msg ? zs.msg : "invalid deflate data";
        inflateEnd(&zs);
        return Fail(GunzipStatus::kInvalid, "invalid deflate data: " + msg);
      }
      size_t n = buf.size() - zs.avail_out;
      if (n > *budget) {
        inflateEnd(&zs);
        return Fail(GunzipStatus::kLimitExceeded, "decompressed size over the limit");
      }
      *budget -= n;
      produced += n;
      crc = crc32(crc, buf.data(), static_cast<uInt>(n));
      if (n > 0 && !out(std::string_view(reinterpret_cast<const char*>(buf.data()), n))) {
        inflateEnd(&zs);
        return Fail(GunzipStatus::kStopped, "the output was refused");
      }
      if (rc == Z_BUF_ERROR && zs.avail_in == 0 && remaining == 0) break;
    }
    size_t consumed = (in.size() - pos) - remaining - zs.avail_in;
    inflateEnd(&zs);
    if (rc != Z_STREAM_END) return Fail(GunzipStatus::kInvalid, kTruncated);
    pos += consumed;
    if (in.size() - pos < 8) return Fail(GunzipStatus::kInvalid, kTruncated);
    if (ReadLe32(in, pos) != static_cast<uint32_t>(crc)) {
      return Fail(GunzipStatus::kInvalid, "crc check failed");
    }
    if (ReadLe32(in, pos + 4) != static_cast<uint32_t>(produced & 0xffffffffu)) {
      return Fail(GunzipStatus::kInvalid, "incorrect length of data produced");
    }
    pos += 8;
    while (pos < in.size() && in[pos] == '\0') ++pos;
  }
  return result;
}

}  // namespace s3us::userdata

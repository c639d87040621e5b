#include "userdata/gzip.h"

#include <zlib.h>

#include <array>
#include <optional>

namespace s3us::userdata {
namespace {

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

}  // namespace

GunzipResult GunzipTo(std::string_view in, uint64_t* budget, const DecodedSink& out) {
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
      size_t read_to = in.size() - remaining - zs.avail_in;
      if (n > 0 && !out(std::string_view(reinterpret_cast<const char*>(buf.data()), n), read_to)) {
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

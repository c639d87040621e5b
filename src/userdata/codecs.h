// Decoders with the exact semantics cloud-init gets from Python 3.11: the email package's
// base64 (decode_b), binascii.a2b_qp, and gzip.GzipFile with a size cap. Pure functions.
#ifndef S3US_USERDATA_CODECS_H_
#define S3US_USERDATA_CODECS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace s3us::userdata {

// Message.get_payload(decode=True) for Content-Transfer-Encoding: base64. Never fails:
// like Python, undecodable input (length 1 mod 4 after dropping junk) comes back as is,
// minus its line breaks.
std::string DecodeBase64Email(std::string_view body);

// binascii.a2b_base64 (non-strict, as base64.decodebytes and YAML !!binary use it):
// junk characters skipped; nullopt on bad padding or a dangling character.
std::optional<std::string> DecodeBase64Lenient(std::string_view s);

// A MIME body that must be whole base64: line breaks and blanks dropped, then a multiple of
// 4 characters of the alphabet with padding only at the end (binascii strict mode);
// nullopt otherwise (cut short, junk, bad padding).
std::optional<std::string> DecodeBase64Strict(std::string_view body);

// binascii.a2b_qp(header=False): soft line breaks removed, =XX decoded, anything else kept.
std::string DecodeQuotedPrintable(std::string_view body);

// kStopped: the output function refused a chunk (its own failure, e.g. a full disk).
enum class GunzipStatus { kOk, kInvalid, kLimitExceeded, kStopped };

struct GunzipResult {
  GunzipStatus status = GunzipStatus::kOk;
  std::string data;   // kOk: the decompressed bytes (Gunzip only)
  std::string cause;  // otherwise: lower-case reason ("crc check failed")
};

// gzip.GzipFile(...).read(): every member, zero padding between members allowed, CRC and
// length checked, anything else after a member is an error. Empty input gives empty output.
// `*budget` is the number of bytes still allowed out; it is decreased by what is produced.
GunzipResult Gunzip(std::string_view in, uint64_t* budget);

// The same, handing the bytes to `out` as they are produced (at most 64 KiB at a time)
// instead of collecting them, so a large result need not be held in memory. Bytes are
// handed out before the member's CRC is checked: only kOk makes them the result. `out`
// returns false to stop (status kStopped).
GunzipResult GunzipTo(std::string_view in, uint64_t* budget,
                      const std::function<bool(std::string_view)>& out);

inline bool HasGzipMagic(std::string_view s) {
  return s.size() >= 2 && static_cast<unsigned char>(s[0]) == 0x1f &&
         static_cast<unsigned char>(s[1]) == 0x8b;
}

}  // namespace s3us::userdata

#endif  // S3US_USERDATA_CODECS_H_

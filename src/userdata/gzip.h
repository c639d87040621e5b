// gzip as cloud-init gets it from Python 3.11's gzip.GzipFile, with a size cap. Pure.
#ifndef S3US_USERDATA_GZIP_H_
#define S3US_USERDATA_GZIP_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "userdata/codecs.h"

namespace s3us::userdata {

// kStopped: the output function refused a chunk (its own failure, e.g. a full disk).
enum class GunzipStatus { kOk, kInvalid, kLimitExceeded, kStopped };

struct GunzipResult {
  GunzipStatus status = GunzipStatus::kOk;
  std::string cause;  // not kOk: the lower-case reason ("crc check failed")
};

// gzip.GzipFile(...).read(): every member, zero padding between members allowed, CRC and
// length checked, anything else after a member is an error. Empty input gives empty output.
// `*budget` is the number of bytes still allowed out; it is decreased by what is produced.
// The bytes are handed to `out` as they are produced (at most 64 KiB at a time, with how far
// the input is read), so a large result need not be held in memory; they are handed out
// before the member's CRC is checked: only kOk makes them the result. `out` returns false
// to stop (kStopped).
GunzipResult GunzipTo(std::string_view in, uint64_t* budget, const DecodedSink& out);

inline bool HasGzipMagic(std::string_view s) {
  return s.size() >= 2 && static_cast<unsigned char>(s[0]) == 0x1f &&
         static_cast<unsigned char>(s[1]) == 0x8b;
}

}  // namespace s3us::userdata

#endif  // S3US_USERDATA_GZIP_H_

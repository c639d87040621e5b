// A part's bytes on their way into a Payload: transfer-decoded (base64, quoted-printable)
// or gunzipped a piece at a time into the caller's writer (a work file past a threshold), so
// that neither the input's pages nor the result are held whole.
#ifndef S3US_USERDATA_PART_BYTES_H_
#define S3US_USERDATA_PART_BYTES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "userdata/codecs.h"
#include "userdata/gzip.h"
#include "userdata/parse.h"
#include "userdata/payload.h"
#include "userdata/py_text.h"

namespace s3us::userdata {

// A MIME part's body transfer-decoded as email decodes it (under o.strict_encodings, base64
// must be whole: nullopt when it is not); `passed` is told how far `body` is read. The
// writer's error when it cannot keep the bytes.
Result<std::optional<Payload>> DecodePart(std::string_view body, TransferEncoding te,
                                          const ParseOptions& o, const Passed& passed);

// A gunzipped payload; each chunk is first offered to o.on_gunzipped, and `passed` is told
// how far `in` is read. status and cause as GunzipTo's; the payload when kOk. The caller's or
// the writer's error when they refuse a chunk.
struct Inflated {
  GunzipStatus status = GunzipStatus::kOk;
  std::string cause;
  Payload payload;
};
Result<Inflated> Inflate(std::string_view in, uint64_t* budget, const ParseOptions& o,
                         const Passed& passed);

}  // namespace s3us::userdata

#endif  // S3US_USERDATA_PART_BYTES_H_

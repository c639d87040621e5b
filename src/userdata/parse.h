// Parse: raw user-data bytes → ordered Parts, exactly as cloud-init 22.4 does, plus our
// text/x-s3-include type. Pure: no network, no execution, no files.
//
// Whole blob: gunzipped if gzip; MIME only if "mime-version:" appears in the first 4096
// bytes (case-insensitive), else one text/x-not-multipart part re-typed by its first line.
// Thread-safe (libmagic handles are per thread).
#ifndef S3US_USERDATA_PARSE_H_
#define S3US_USERDATA_PARSE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "userdata/part.h"

namespace s3us::userdata {

struct ParseLimits {
  uint64_t max_input_bytes = 16u << 20;         // the blob as given
  uint64_t max_decompressed_bytes = 64u << 20;  // after all gunzips, summed
  int max_depth = 16;                           // nested multiparts
  int max_parts = 1000;
  uint64_t max_header_bytes = 64u << 10;  // one part's header block
};

struct ParseOptions {
  ParseLimits limits;
  bool sniff_with_libmagic = true;  // type parts cloud-init leaves unknown (ELF, scripts)
};

// Errors: kInvalidInput (malformed, naming the part index and the cause),
// kLimitExceeded (naming the limit).
Result<std::vector<Part>> Parse(std::string_view blob, const ParseOptions& options = {});

// One entry of an #include, #include-once or #s3-include body.
// Grammar (#s3-include): `URL [sha256=<64 hex>]`, tokens separated by blanks; blank lines
// and lines starting with '#' are skipped; unknown options are an error naming the line.
// #include / #include-once: one URL per line, as cloud-init reads them.
struct IncludeEntry {
  int line = 0;  // 1-based line within the part's payload
  std::string url;
  std::optional<std::string> sha256;  // lower-case hex
};

// REQUIRES: part.content_type is an include type. kInvalidInput names the line.
Result<std::vector<IncludeEntry>> ParseIncludeList(const Part& part);

}  // namespace s3us::userdata

#endif  // S3US_USERDATA_PARSE_H_

// Part: one unit of user data after parsing (and, for fetched objects, after fetching),
// with where it came from. Plain data: no parsing; a file-backed payload reads its file.
#ifndef S3US_USERDATA_PART_H_
#define S3US_USERDATA_PART_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "userdata/payload.h"

namespace s3us::userdata {

// Content types we name in code (cloud-init's spelling).
inline constexpr const char* kTypeShellScript = "text/x-shellscript";
inline constexpr const char* kTypeCloudConfig = "text/cloud-config";
inline constexpr const char* kTypeCloudConfigArchive = "text/cloud-config-archive";
inline constexpr const char* kTypeCloudConfigJsonp = "text/cloud-config-jsonp";
inline constexpr const char* kTypeCloudBoothook = "text/cloud-boothook";
inline constexpr const char* kTypeInclude = "text/x-include-url";
inline constexpr const char* kTypeIncludeOnce = "text/x-include-once-url";
inline constexpr const char* kTypePartHandler = "text/part-handler";
inline constexpr const char* kTypeJinja2 = "text/jinja2";
inline constexpr const char* kTypeUpstartJob = "text/upstart-job";
inline constexpr const char* kTypeNotMultipart = "text/x-not-multipart";
inline constexpr const char* kTypePlain = "text/plain";
inline constexpr const char* kTypeShellScriptPerBoot = "text/x-shellscript-per-boot";
inline constexpr const char* kTypeShellScriptPerInstance = "text/x-shellscript-per-instance";
inline constexpr const char* kTypeShellScriptPerOnce = "text/x-shellscript-per-once";
// Ours: an executable libmagic recognised (ELF); cloud-init leaves such parts unhandled.
inline constexpr const char* kTypeExecutable = "application/x-executable";
// Ours: a list of S3 objects to fetch in place of this part.
inline constexpr const char* kTypeS3Include = "text/x-s3-include";

// A fetched object's record, filled by the fetch layer; absent for parts that were in the
// user data itself.
struct Source {
  std::string url;     // as written in the include line, without query string
  std::string bucket;  // empty for plain https
  std::string key;
  std::string version_id;
  std::string region;  // region the request was signed for
  std::string etag;
  uint64_t size = 0;        // bytes of the object as stored
  std::string sha256;       // hex SHA-256 of the object as stored
  std::string verified_by;  // e.g. "content-length, x-amz-checksum-sha256, sha256 pin"
  double fetch_ms = 0;
};

// One step of an include chain: "line 3 of part 2 (s3://a/x)".
struct IncludeStep {
  int part_index = 0;  // 1-based index of the include part within its document
  int line = 0;        // 1-based line of the include entry in that part
  std::string url;     // the entry, redacted
};

struct Origin {
  // Empty for top-level parts; otherwise outermost include first.
  std::vector<IncludeStep> chain;
  std::optional<Source> source;
};

// Where a part was found in its document. cloud-init reads include lists only among the
// document's own parts: _explode_archive attaches an archive's entries as they are, so an
// #include entry is a part no handler takes, never fetched.
enum class Placement { kDocument, kArchiveEntry };

struct Part {
  int index = 0;              // 1-based position in its document (or in the Plan)
  std::string content_type;   // after cloud-init's re-typing; lower-case
  std::string declared_type;  // the MIME Content-Type as declared (lower-case), if any
  std::string filename;       // Content-Disposition filename, or "part-NNN"
  Payload payload;            // decoded bytes, byte-exact (in memory or a verified file)
  std::string charset;
  // str(int()) of the first Launch-Index header (or of a cloud-config's launch-index key);
  // a header int() refuses is kept as sent: cloud-init then runs the part on no instance.
  std::optional<std::string> launch_index;
  std::string magic;  // what libmagic said, when it was asked
  // An unencoded MIME part: the email package holds its text as a str, and cloud-init reads
  // the raw-unicode-escape of it (no non-ASCII character is a blank or a line break there).
  bool held_as_str = false;
  Placement placement = Placement::kDocument;
  // Headers kept for serialisation (resolve) and reports, as (name, value).
  std::vector<std::pair<std::string, std::string>> headers;
  Origin origin;
};

}  // namespace s3us::userdata

#endif  // S3US_USERDATA_PART_H_

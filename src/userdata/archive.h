// #cloud-config-archive: a YAML (or JSON) list of parts, exploded as cloud-init's
// UserDataProcessor._explode_archive does. Produces entries only; numbering, launch index
// normalisation and sniffing are the caller's.
#ifndef S3US_USERDATA_ARCHIVE_H_
#define S3US_USERDATA_ARCHIVE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "userdata/codecs.h"

namespace s3us::userdata {

struct ArchiveEntry {
  std::string declared_type;  // the entry's `type`, as written ("" when absent)
  std::string content_type;   // what cloud-init's Message.get_content_type() reports
  std::string payload;
  std::optional<std::string> filename;                       // str(entry["filename"]), stripped
  std::optional<std::string> launch_index;                   // str(entry["launch-index"])
  std::vector<std::pair<std::string, std::string>> headers;  // X-S3us-* keys, as written
  // A Content-Transfer-Encoding key is a MIMEBase entry's only one (a type whose maintype is
  // not written "text"); MIMEText's own comes first. The parser decodes `payload` by it, as
  // it decodes a MIME part's body.
  TransferEncoding transfer = TransferEncoding::kNone;
};

// Nodes an archive may have before yaml-cpp is asked to build its tree (about a kilobyte
// each): a hundred times a large archive, about 100 MB of tree at the most.
inline constexpr uint64_t kMaxArchiveYamlNodes = 100000;

// Errors (kInvalidInput, message without the part prefix): not YAML, not a list, YAML
// yaml-cpp misreads (ReadArchiveYaml), an entry that is neither a mapping nor a string
// (cloud-init skips those silently), a key written twice, a key or header value that is not
// a str (cloud-init fails on it), content that is not text or !!binary, a type without '/'.
// kLimitExceeded past `max_entries`.
Result<std::vector<ArchiveEntry>> ExplodeArchive(std::string_view payload, int max_entries);

}  // namespace s3us::userdata

#endif  // S3US_USERDATA_ARCHIVE_H_

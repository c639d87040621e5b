// Content-type decisions cloud-init makes (first-line table, gzip types, which types are
// re-typed) plus ours (#s3-include, libmagic sniffing of parts cloud-init leaves untyped).
#ifndef S3US_USERDATA_CONTENT_TYPE_H_
#define S3US_USERDATA_CONTENT_TYPE_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace s3us::userdata {

struct Part;

// handlers.type_from_starts_with on a payload: leading (Python) whitespace skipped,
// case-insensitive, longest prefix first; cloud-init's table plus "#s3-include".
// `must_be_utf8`: payloads cloud-init holds as bytes are decoded strictly first, and
// a payload that is not UTF-8 has no type.
std::optional<std::string> TypeFromStartsWith(std::string_view payload, bool must_be_utf8);

// DECOMP_TYPES of cloudinit/user_data.py.
bool IsGzipType(std::string_view content_type);
// cloud-init holds the part's text as a str (an unencoded MIME part, Part::held_as_str, or a
// gunzipped one): get_payload(decode=True), which its handlers and the launch-index read,
// gives the raw-unicode-escape of it, not its UTF-8 bytes.
bool HeldAsStrByCloudInit(const Part& part);
// Whether the part's lines are URLs to fetch in its place: #s3-include wherever the bridge's
// handler would be handed it (an archive entry too), #include and #include-once only as the
// document's own parts (Placement).
bool IsIncludeList(const Part& part);
// text/plain, text/x-not-multipart, text/x-shellscript: re-typed by their first line.
bool IsRetypedByFirstLine(std::string_view content_type);
// text/plain, text/x-not-multipart, application/octet-stream: worth asking libmagic.
bool IsSniffable(std::string_view content_type);

// Merge-Type / X-Merge-Type: how cloud-init's cloud-config handler merges a part into the
// ones before it; kept with the part so resolve can hand it on.
bool IsMergeHeader(std::string_view name);

// libmagic's MIME type of `payload` ("" when libmagic is unavailable). One handle per
// thread, created on first use.
std::string MagicMimeType(std::string_view payload);
// The bytes of a payload libmagic reads (the head a file-backed payload passes it).
inline constexpr size_t kMagicBytes = 64 * 1024;
// ELF types libmagic reports (executable, shared library, PIE).
bool IsElfMagic(std::string_view magic);

}  // namespace s3us::userdata

#endif  // S3US_USERDATA_CONTENT_TYPE_H_

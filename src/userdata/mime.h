// A MIME splitter that reproduces Python 3.11's email.feedparser (compat32), which is what
// cloud-init parses user data with, and the Message accessors cloud-init calls
// (get_content_type, get_param, get_filename, get_boundary). Structure only: no
// transfer decoding, no re-typing.
//
// mimetic reads every blob a second time (mime_crosscheck.h) and must agree; it cannot be
// the only reader: it takes any line starting with "--boundary" for a boundary, drops the
// following outer part when an inner closing boundary is missing, cuts
// `filename="semi;colon.sh"` at the semicolon and ignores RFC 2231 filenames, so the tree,
// parameters and filenames cloud-init would see come from here.
#ifndef S3US_USERDATA_MIME_H_
#define S3US_USERDATA_MIME_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "userdata/py_text.h"

namespace s3us::userdata {

struct MimeHeader {
  std::string name;   // as written (Python compares it case-insensitively)
  std::string value;  // leading blanks and the final line break removed; folds kept
};

struct MimeEntity {
  std::vector<MimeHeader> headers;
  std::string default_type = "text/plain";  // message/rfc822 inside multipart/digest
  bool multipart = false;                   // children are valid, body is not
  // The header block ended at a line that is not blank (Python reads that line as the
  // body's first; an RFC 2046 reader may not).
  bool no_blank_line = false;
  // Raw, transfer-encoded: a view of the text ParseMime read, so that a tree costs no copy
  // of the bodies (that text must outlive the tree), or of own_body when a "From " line
  // after the headers joins the body (Python moves it there).
  std::string_view body;
  std::unique_ptr<std::string> own_body;
  std::vector<MimeEntity> children;
};

struct MimeLimits {
  int max_depth = 16;
  uint64_t max_header_bytes = 64u << 10;
  int max_leaves = 1000;
};

// REQUIRES: `text` is valid UTF-8 (cloud-init decodes the blob as UTF-8 first), and it
// outlives the tree (bodies are views of it).
// Errors: kLimitExceeded (depth, header block, number of parts); kInvalidInput for
// multiparts whose parts cloud-init would silently drop (no boundary parameter, no
// opening boundary line) and for message/* parts. Messages name the leaf part number.
// `passed` is told how far the reader has read (py_text.h).
Result<MimeEntity> ParseMime(std::string_view text, const MimeLimits& limits,
                             const Passed& passed = nullptr);

// Message.get(name): the first header of that name, or nullptr.
const std::string* FindHeader(const MimeEntity& e, std::string_view name);
// The Content-Type value before ';', stripped and lower-case, as written (maybe
// malformed); nullopt when there is no Content-Type header.
std::optional<std::string> DeclaredTypeOf(const MimeEntity& e);
// Message.get_content_type(): lower-case, default type when missing or malformed.
std::string ContentTypeOf(const MimeEntity& e);
// True for a declared type cloud-init takes as it is: exactly one '/'.
bool IsWellFormedType(std::string_view declared);
// Message.get_param(param, header=...) followed by utils.collapse_rfc2231_value.
std::optional<std::string> ParamOf(const MimeEntity& e, std::string_view param,
                                   std::string_view header = "content-type");
// Message.get_filename(): Content-Disposition filename, else (when `content_type_name`)
// the Content-Type name parameter; stripped.
std::optional<std::string> FilenameOf(const MimeEntity& e, bool content_type_name = true);

}  // namespace s3us::userdata

#endif  // S3US_USERDATA_MIME_H_

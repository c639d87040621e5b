// The second reading of MIME user data. ParseMime reads a blob exactly as cloud-init
// (Python's email) does; mimetic, an independent RFC 2046 parser, reads it again here and
// the two trees must agree on structure, content types, transfer encodings and bodies.
// Where they differ the blob is ambiguous (a boundary-like line that is not a boundary, a
// nested multipart that never closes, ...): tools and people reading it with a mail
// library would see other parts than cloud-init runs, so we refuse it instead of picking
// one reading.
//
// mimetic only runs behind guards. Measured on 0.9.8: it eats YAML that looks like a
// header (so MIME detection comes first, in Parse), its header-field parser copies a field
// every 128 bytes (a 1 MiB field takes 170 ms, 4 MiB 2.4 s), it recurses once per nested
// entity (about 60k nested multiparts overflow the stack), it may throw, and a copied
// MimeEntity double-frees. So: ParseMime's depth, part, header and UTF-8 limits come first;
// a linear pre-scan bounds field length and Content-Type count; mimetic is stopped past the
// part limit (it builds an entity per boundary line); exceptions are caught; entities are
// never copied. Filenames and other parameters are not compared: mimetic
// cuts quoted values at ';' and does not decode RFC 2231, so ParseMime's reading stands.
//
// Cost: mimetic's own parser runs unchanged but for its body loop, which takes the same
// steps without copying: a body is the span of the blob that loop would have copied, so the
// check holds no body and no second copy of the blob.
#ifndef S3US_USERDATA_MIME_CROSSCHECK_H_
#define S3US_USERDATA_MIME_CROSSCHECK_H_

#include <cstdint>
#include <string_view>

#include "core/error.h"
#include "userdata/mime.h"

namespace s3us::userdata {

struct CrossCheckLimits {
  // One header field as mimetic could read it (a line and its folded continuations); its
  // parser copies a field once per 128 bytes, so cost grows with the square of this.
  uint64_t max_field_bytes = 256u << 10;
  // Content-Type headers in the whole blob: mimetic recurses once per nested entity.
  int max_content_types = 4000;
  // Leaf parts mimetic may read, at least the tree's (ParseMime's max_leaves): it builds
  // about a kilobyte of entity per boundary line, so a blob of "--B" lines is stopped here,
  // as ambiguous (the tree has fewer).
  int max_leaves = 1000;
};

// REQUIRES: `tree` is ParseMime(text) and succeeded.
// Errors: kInvalidInput "mime part N: ambiguous MIME: ..." when the readings differ (N is
// the first leaf part where they do; "mime: ambiguous MIME: ..." when mimetic reads more
// than max_leaves parts), kLimitExceeded when a guard refuses to run mimetic.
// `passed` is told how far each pass over the text has read (py_text.h).
Status CrossCheckMime(std::string_view text, const MimeEntity& tree,
                      const CrossCheckLimits& limits = {}, const Passed& passed = nullptr);

}  // namespace s3us::userdata

#endif  // S3US_USERDATA_MIME_CROSSCHECK_H_

// Payload fix-ups cloud-init applies before it writes a script or boothook, shared by the
// handlers that run them (cloudinit/util.py dos2unix, boot_hook.py _write_part).
#ifndef S3US_HANDLERS_SCRIPT_TEXT_H_
#define S3US_HANDLERS_SCRIPT_TEXT_H_

#include <string>
#include <string_view>

#include "core/error.h"
#include "userdata/payload.h"

namespace s3us::handlers {

// cloud-init's dos2unix: when the first line ends in CRLF, every CRLF becomes LF; otherwise
// the payload is returned unchanged (a lone CR later in an LF file stays).
std::string Dos2Unix(std::string_view payload);
// Dos2Unix for a payload: one whose first line does not end in CRLF is returned as it is
// (a file-backed script stays in its file); otherwise it is read and converted in memory.
// kIo when a file cannot be read.
Result<userdata::Payload> Dos2UnixPayload(const userdata::Payload& payload);

// What cloud-init runs for a boothook: dos2unix, then the exact prefix "#cloud-boothook"
// removed if present (case-sensitive, as cloud-init's strip_prefix_suffix), then leading
// whitespace removed (Python str.lstrip), so "#cloud-boothook\n#!/bin/sh\n..." runs as
// "#!/bin/sh\n...".
std::string BoothookScript(std::string_view payload);

}  // namespace s3us::handlers

#endif  // S3US_HANDLERS_SCRIPT_TEXT_H_

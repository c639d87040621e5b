// Parse: raw user-data bytes → ordered Parts, exactly as cloud-init 22.4 does, plus our
// text/x-s3-include type. Pure: no network, no execution, no files of its own (a large
// gunzipped result goes where the caller's ParseOptions::new_decoded_writer puts it).
//
// Whole blob: gunzipped if gzip; MIME only if "mime-version:" appears in the first 4096
// bytes (case-insensitive), else one text/x-not-multipart part re-typed by its first line.
// Thread-safe (libmagic handles are per thread).
#ifndef S3US_USERDATA_PARSE_H_
#define S3US_USERDATA_PARSE_H_

#include <cstdint>
#include <functional>
#include <memory>
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
  // cloud-init keeps bytes it cannot decode as they are: a blob with the gzip magic that
  // does not gunzip (bad CRC, cut short) becomes an unhandled part, a base64 body that is
  // not base64 its raw text. For a fetched object that hides a broken object behind a
  // skipped part, so strict makes both kInvalidInput naming the cause.
  bool strict_encodings = false;
  // Where a gunzipped result goes as it is produced, and each MIME part's decoded bytes
  // (but a gzip part's, which are gunzipped next); null keeps them in memory. A gunzipped
  // result that is MIME is mapped back to be split (under max_decompressed_bytes).
  std::function<std::unique_ptr<PayloadWriter>()> new_decoded_writer;
  // Offered the size of each chunk a gunzip produces before it is kept (null: none): an
  // error stops that gunzip and is the parse's. For a budget the caller counts what an
  // object holds against (a plan's size limit), so that a gzip bomb stops there.
  std::function<Status(uint64_t)> on_gunzipped;
};

// Success: the parts in cloud-init's attach order, numbered from 1; include parts
// (#include, #include-once, #s3-include) are returned as parts, not fetched; archives are
// exploded in place. Errors: kInvalidInput (malformed, "part 3: cause" or "mime part 2:
// cause", or ambiguous MIME that mimetic splits differently: mime_crosscheck.h),
// kLimitExceeded (naming the limit). Fallbacks and deliberate differences from
// cloud-init are listed in tests/userdata/differential_test.cc.
Result<std::vector<Part>> Parse(std::string_view blob, const ParseOptions& options = {});

// The same for a fetched object's body. One in memory is Parse()d; a file-backed one that
// is gzip or MIME (its head says) is mapped read-only under limits.max_input_bytes and
// Parse()d; any other stays in its file as the one part's payload, typed from its head. A
// gzip object that holds one part (not MIME) becomes that part's payload as the writer
// kept it, so with a writer that spills, memory stays flat in the decompressed size.
Result<std::vector<Part>> ParseObject(const Payload& body, const ParseOptions& options = {});

// One entry of an #include, #include-once or #s3-include body.
//
// #s3-include grammar (lines split at LF, one CR before it dropped, blanks trimmed; full
// description with examples in docs/include-lines.md):
//   line    := blank | comment | header | entry
//   header  := "#s3-include" (any case) [entry]   -- the prefix is dropped, the rest is parsed
//   comment := "#" anything                        -- skipped, but a "#s3-" word (any case)
//                                                     other than "#s3-allowed-signer" is an
//                                                     error: "line 2: unknown directive ..."
//   entry   := URL { blanks option }
//   option  := "sha256=" 64 hex digits (any case; stored lower-case)
// Options are taken from the end of the line, last token first, while the last blank-separated
// token is a known option not taken yet; the rest of the line is the URL, byte for byte (inner
// spaces, '=', '+', '%' … belong to it: `s3://b/with space.sh` is key "with space.sh").
// A trailing "sha256=" token with bad hex is kInvalidInput naming the line:
// "line 3: sha256 must be 64 hex digits". URLs are not checked here (the fetch layer owns
// schemes and syntax).
//
// #include / #include-once: exactly cloud-init's _do_include: lines split as Python's
// str.splitlines; a line starting "#include-once" (any case) drops that prefix and turns
// `once` on for it and the following lines, "#include" turns it off; then lines starting
// with '#' are skipped and the stripped rest, if any, is one URL (spaces and all). One
// departure: an "#s3-allowed-signer" line (any case) there is an error, "line 2:
// #s3-allowed-signer applies only inside an #s3-include part": trust that nothing honours
// must not pass as a comment.
struct IncludeEntry {
  int line = 0;  // 1-based line within the part's payload
  std::string url;
  std::optional<std::string> sha256;  // lower-case hex
  std::optional<std::string> signer;  // signer=PRINCIPAL: who must have signed the object
  bool once = false;                  // #include-once semantics (cloud-init's urlcache)
};

// An "#s3-allowed-signer <allowed_signers line>" line of an #s3-include part: trust the
// part itself carries for every object fetched through it (docs/signing.md).
struct InlineSignerLine {
  int line = 0;  // 1-based line within the part's payload
  std::string text;
};
inline constexpr std::string_view kInlineSignerPrefix = "#s3-allowed-signer";

// REQUIRES: part.content_type is text/x-include-url, text/x-include-once-url or
// text/x-s3-include (otherwise kInvalidInput). kInvalidInput names the line.
Result<std::vector<IncludeEntry>> ParseIncludeList(const Part& part);

// The "#s3-allowed-signer" lines of an #s3-include part, in order (none for other types).
// kIo when a file-backed payload cannot be read.
Result<std::vector<InlineSignerLine>> InlineSignerLines(const Part& part);

}  // namespace s3us::userdata

#endif  // S3US_USERDATA_PARSE_H_

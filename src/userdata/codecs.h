// Decoders with the exact semantics cloud-init gets from Python 3.11: the email package's
// base64 (decode_b) and binascii.a2b_qp, whole or streamed. Pure functions.
#ifndef S3US_USERDATA_CODECS_H_
#define S3US_USERDATA_CODECS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace s3us::userdata {

enum class TransferEncoding { kNone, kBase64, kQuotedPrintable };

// What a Content-Transfer-Encoding value, lower-cased as email compares it (not stripped),
// asks for: base64, quoted-printable, else nothing. kInvalidInput for uuencode, which
// cloud-init decodes and we refuse.
Result<TransferEncoding> TransferEncodingOf(std::string_view cte);

// Message.get_payload(decode=True) for Content-Transfer-Encoding: base64. Never fails:
// like Python, undecodable input (length 1 mod 4 after dropping junk) comes back as is,
// minus its line breaks.
std::string DecodeBase64Email(std::string_view body);

// binascii.a2b_base64 (non-strict, as base64.decodebytes and YAML !!binary use it):
// junk characters skipped; nullopt on bad padding or a dangling character.
std::optional<std::string> DecodeBase64Lenient(std::string_view s);

// A MIME body that must be whole base64: line breaks and blanks dropped, then a multiple of
// 4 characters of the alphabet with padding only at the end (binascii strict mode);
// nullopt otherwise (cut short, junk, bad padding).
std::optional<std::string> DecodeBase64Strict(std::string_view body);

// binascii.a2b_qp(header=False): soft line breaks removed, =XX decoded, anything else kept.
std::string DecodeQuotedPrintable(std::string_view body);

// Where a streaming decoder hands its output, in order, in pieces of at most about 256 KiB
// (so a large body is never decoded whole in memory), with the offset of the input read so
// far (a caller that maps the input gives the pages before it back). False stops it.
using DecodedSink = std::function<bool(std::string_view piece, size_t read_to)>;

enum class DecodeOutcome {
  kDecoded,  // the sink has had every decoded byte
  kRefused,  // not the decoder's input: what the sink had is not a result
  kStopped,  // the sink returned false
};

// DecodeBase64Email streamed. kRefused where email keeps the text: then the part is the
// body as StripLineBreaksTo gives it.
DecodeOutcome DecodeBase64EmailTo(std::string_view body, const DecodedSink& out);
// DecodeBase64Strict streamed; kRefused where it gives nullopt.
DecodeOutcome DecodeBase64StrictTo(std::string_view body, const DecodedSink& out);
// DecodeQuotedPrintable streamed; never kRefused.
DecodeOutcome DecodeQuotedPrintableTo(std::string_view body, const DecodedSink& out);
// The body without its CR and LF bytes; never kRefused.
DecodeOutcome StripLineBreaksTo(std::string_view body, const DecodedSink& out);

}  // namespace s3us::userdata

#endif  // S3US_USERDATA_CODECS_H_

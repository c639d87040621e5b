// MeasureMimeticBody: how much of a leaf body mimetic 0.9.8's input-iterator parser appends,
// and where it stops, without the copy (mime_crosscheck.cc's span reader).
//
// mimetic (parser/itparser.h, copy_until_boundary(peBody)) steps one byte at a time. It
// appends its 4 KiB block buffer whenever 4093 bytes are in it, up to the start of the line
// that may become a boundary. A line starting with "--" that the boundary stack knows ends
// the body; the line break before it is dropped when it is still in the block. This
// returns the same counts from one memchr per line: between two line breaks only the block
// appends can happen, and they happen where mimetic's per-byte check makes them.
#ifndef S3US_USERDATA_MIMETIC_BODY_H_
#define S3US_USERDATA_MIMETIC_BODY_H_

#include <cstddef>
#include <functional>
#include <string_view>

#include "userdata/py_text.h"

namespace s3us::userdata {

struct MimeticBody {
  size_t bytes = 0;            // what mimetic appends to the body
  const char* next = nullptr;  // where it goes on: after the boundary line, or end
};

// Reads [begin, end) of `text`. is_boundary gets each line (without its break) that starts
// with "--"; `passed` hears the text offsets mimetic's loop reaches, in order.
MimeticBody MeasureMimeticBody(const char* text, const char* begin, const char* end,
                               const std::function<bool(std::string_view)>& is_boundary,
                               const Passed& passed);

}  // namespace s3us::userdata

#endif  // S3US_USERDATA_MIMETIC_BODY_H_

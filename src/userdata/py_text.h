// Text rules of Python 3.11 that cloud-init's parsing inherits (str.strip's whitespace set,
// universal line breaks, int()), applied to UTF-8 bytes. No parsing of MIME or YAML here.
#ifndef S3US_USERDATA_PY_TEXT_H_
#define S3US_USERDATA_PY_TEXT_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace s3us::userdata {

// Length in bytes of the Python whitespace character (str.isspace) starting at s[i], or 0.
// Invalid UTF-8 is never whitespace.
size_t PySpaceAt(std::string_view s, size_t i);
std::string_view PyLStrip(std::string_view s);
std::string_view PyRStrip(std::string_view s);
std::string_view PyStrip(std::string_view s);

// Told now and then how far a front-to-back pass over a text has read (every byte before
// the offset), so that a caller that maps the text can give those pages back (a later read
// faults them in again): resident memory stays a window of the text, not all of it.
using Passed = std::function<void(size_t offset)>;

// True when `s` is UTF-8 as Python's strict decoder accepts it (no surrogates, no overlongs).
// On failure, *bad_offset is the first offending byte.
bool IsValidUtf8(std::string_view s, size_t* bad_offset = nullptr, const Passed& passed = nullptr);

// str.splitlines(): breaks at \n, \r\n, \r, \v, \f, \x1c-\x1e, U+0085, U+2028, U+2029;
// line breaks are dropped.
std::vector<std::string_view> PySplitLines(std::string_view s);
// The same lines one at a time, without a vector of them (a 40 MiB list of one-byte lines is
// 20 million views): sets `line` to the line starting at `pos`, moves `pos` past its break.
// False when `pos` is at the end.
bool PyNextLine(std::string_view s, size_t& pos, std::string_view& line);

// str(int(s)) for a str s, or nullopt when int() would raise (surrounding whitespace,
// a sign and single underscores between ASCII digits are accepted as Python does).
std::optional<std::string> PyIntString(std::string_view s);
// True when `s`, stripped, holds a character that is not ASCII: int() reads any Unicode
// decimal digit (int("\u0663") is 3; which ones depends on Python's Unicode version), so
// what it makes of `s` is unknown to PyIntString.
bool PyIntUnknown(std::string_view s);

// str.encode("raw-unicode-escape") of a UTF-8 text: what the email package makes of text it
// holds as a str when bytes are asked for (an unencoded part's payload, an RFC 2231 value):
// U+0080..U+00FF become one Latin-1 byte, higher code points \uXXXX / \UXXXXXXXX. Bytes
// that are not UTF-8 are copied.
std::string PyRawUnicodeEscape(std::string_view utf8);

// Length of the line break (\r\n, \r or \n) ending `s`, or 0.
size_t TrailingLineBreak(std::string_view s);

}  // namespace s3us::userdata

#endif  // S3US_USERDATA_PY_TEXT_H_

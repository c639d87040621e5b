// Small string helpers shared by every layer (ASCII only; bytes above 0x7f pass through).
#ifndef S3US_CORE_STRINGS_H_
#define S3US_CORE_STRINGS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace s3us {

std::string ToLower(std::string_view s);
bool IEquals(std::string_view a, std::string_view b);
bool IStartsWith(std::string_view s, std::string_view prefix);
// Non-empty and only ASCII digits.
bool IsAllDigits(std::string_view s);
// Strips spaces, tabs, CR and LF at both ends.
std::string_view Trim(std::string_view s);
// s without one pair of surrounding double quotes, when it has them (an ETag's "…").
std::string_view StripQuotes(std::string_view s);
std::vector<std::string_view> Split(std::string_view s, char sep);
// Splits on LF and drops one trailing CR per line; the pieces point into `s`.
std::vector<std::string_view> SplitLines(std::string_view s);
// "1.5 KiB", "3 B": for people.
std::string HumanBytes(uint64_t bytes);
// "1 problem", "3 problems": `count` and `noun`, with an "s" unless count is 1.
std::string CountOf(size_t count, std::string_view noun);

// The value of one hex digit (any case), -1 for any other character.
int HexDigitValue(char c);
// %XX decoded once; a '%' without two hex digits after it, and '+', stay as they are
// (Python's urllib.parse.unquote_to_bytes).
std::string PercentDecode(std::string_view s);
// The same, but nullopt for a '%' without two hex digits after it.
std::optional<std::string> PercentDecodeStrict(std::string_view s);

// Most bytes of one text from user data or the network as a message quotes it.
inline constexpr size_t kMaxQuoted = 200;
// `raw` for one line of output: control bytes (C0 and DEL: NUL, BEL, ESC, CR, LF...) become
// \xNN, so that what a message quotes cannot end, hide or recolour its line; the result is
// cut to at most `max_bytes` (never inside an escape or a UTF-8 sequence), then "...".
// Other bytes above 0x7f pass through (names in UTF-8).
std::string Printable(std::string_view raw, size_t max_bytes = kMaxQuoted);

}  // namespace s3us

#endif  // S3US_CORE_STRINGS_H_

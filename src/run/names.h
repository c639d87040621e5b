// File names the run layer derives from untrusted part filenames. A part's filename comes
// from user data or an S3 key and may hold "../", NUL, control bytes, unicode or 300
// characters; what lands on disk is always one safe path component.
#ifndef S3US_RUN_NAMES_H_
#define S3US_RUN_NAMES_H_

#include <string>
#include <string_view>

namespace s3us::run {

// At most this many bytes of a part's filename survive in a file name.
inline constexpr size_t kMaxNameBytes = 100;

// One safe component: bytes outside [A-Za-z0-9._+()-] become '_' (runs collapse), leading
// '.', '_' and '-' are dropped (no hidden files, no "..", no option-like names), the rest
// is cut to kMaxNameBytes. Never empty: "part" when nothing is left.
std::string SafeFileName(std::string_view raw);

// The plan index zero-padded to at least 3 digits and to the width of `count`, so sorted
// file names follow run order: PadIndex(7, 12) == "007", PadIndex(7, 1200) == "0007".
std::string PadIndex(int index, int count);

// "<PadIndex>-<SafeFileName>": unique per part, since the index is.
std::string PartFileName(int index, int count, std::string_view filename);

}  // namespace s3us::run

#endif  // S3US_RUN_NAMES_H_

// Helpers core/files.cc and core/private_paths.cc share; not for other layers.
#ifndef S3US_CORE_FILES_INTERNAL_H_
#define S3US_CORE_FILES_INTERNAL_H_

#include <string>
#include <string_view>

#include "core/error.h"

namespace s3us::files_internal {

// kIo "WHAT PATH: strerror(err)".
Error IoError(const std::string& what, const std::string& path, int err);
// The directory part of `path` ("." for none, "/" for the root).
std::string Dirname(const std::string& path);
// Ten characters from the kernel's generator, for names nobody can guess to take first.
std::string RandomSuffix();
// Whether `s` has RandomSuffix's shape (ten of [a-z0-9]).
bool IsRandomSuffix(std::string_view s);

}  // namespace s3us::files_internal

#endif  // S3US_CORE_FILES_INTERNAL_H_

#include "cli/trust_config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "core/files.h"
#include "core/private_paths.h"

namespace s3us::cli {
namespace {

Result<std::string> ReadProtected(const std::string& path) {
  Result<int> fd = OpenProtectedFile(path);
  if (!fd.ok()) return fd.error();
  Result<std::string> text = ReadOpenFile(*fd, path, trust::kMaxAllowedSignersBytes);
  close(*fd);
  return text;
}

}  // namespace

Result<std::optional<trust::AllowedSigners>> LoadTrust(const Options& o,
                                                       const std::string& system_path) {
  std::string path = o.allowed_signers;
  if (path.empty()) {
    struct stat st;
    if (lstat(system_path.c_str(), &st) != 0 && errno == ENOENT) {
      return std::optional<trust::AllowedSigners>();
    }
    path = system_path;
  }
  auto text = ReadProtected(path);
  if (!text.ok()) return std::move(text).error().WithContext("allowed signers " + path);
  auto signers = trust::AllowedSigners::Parse(*text, path);
  if (!signers.ok()) return std::move(signers).error();
  // An explicitly named file that trusts nobody would refuse every object: say so early.
  if (signers->empty()) {
    if (!o.allowed_signers.empty()) {
      return Error(ErrorCode::kInvalidInput, path + " lists no signer");
    }
    return std::optional<trust::AllowedSigners>();
  }
  return std::optional<trust::AllowedSigners>(std::move(*signers));
}

}  // namespace s3us::cli

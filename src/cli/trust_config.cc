#include "cli/trust_config.h"

#include <filesystem>

#include "core/files.h"

namespace s3us::cli {

Result<std::optional<trust::AllowedSigners>> LoadTrust(const Options& o,
                                                       const std::string& system_path,
                                                       const Deadline& deadline, Clock& clock) {
  std::string path = o.allowed_signers;
  if (path.empty()) {
    std::error_code ec;
    if (!std::filesystem::exists(system_path, ec)) return std::optional<trust::AllowedSigners>();
    path = system_path;
  }
  auto text = ReadFile(path, trust::kMaxAllowedSignersBytes, deadline, clock);
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

// Where run, plan, replay, resolve and get get the allowed_signers list that makes
// signatures mandatory (docs/signing.md): --allowed-signers FILE, else the system default
// /etc/s3-user-script/allowed_signers when something is there and it lists a key. No list:
// no signatures needed (sha256= pins remain the integrity control).
#ifndef S3US_CLI_TRUST_CONFIG_H_
#define S3US_CLI_TRUST_CONFIG_H_

#include <optional>
#include <string>

#include "cli/options.h"
#include "core/error.h"
#include "trust/allowed_signers.h"

namespace s3us::cli {

inline constexpr char kSystemAllowedSigners[] = "/etc/s3-user-script/allowed_signers";

// nullopt when no trust is configured: no --allowed-signers and nothing at all at
// `system_path` (lstat finds no entry). Anything else there is the trust file, and every
// failure to use it is an error, never "no trust": a dangling symlink, a loop, a directory
// we cannot search. Whoever could change the file decides what runs, so it is read only
// as core/private_paths.h's OpenProtectedFile accepts it (a regular file that only root or we
// could have changed, through directories nobody else can write). Errors (all setup
// failures: better no boot than an unchecked one) name the file and the cause; a named file
// that lists nobody is one too.
Result<std::optional<trust::AllowedSigners>> LoadTrust(const Options& o,
                                                       const std::string& system_path);

}  // namespace s3us::cli

#endif  // S3US_CLI_TRUST_CONFIG_H_

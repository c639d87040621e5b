// Where run, plan, replay and resolve get the allowed_signers list that makes signatures
// mandatory (docs/signing.md): --allowed-signers FILE, else the system default
// /etc/s3-user-script/allowed_signers when it exists and lists a key. No list: no
// signatures needed (sha256= pins remain the integrity control).
#ifndef S3US_CLI_TRUST_CONFIG_H_
#define S3US_CLI_TRUST_CONFIG_H_

#include <optional>
#include <string>

#include "cli/options.h"
#include "core/clock.h"
#include "core/error.h"
#include "trust/allowed_signers.h"

namespace s3us::cli {

inline constexpr char kSystemAllowedSigners[] = "/etc/s3-user-script/allowed_signers";

// nullopt when no trust is configured. Errors: the file named by --allowed-signers is
// missing, or any list is malformed (a setup failure: better no boot than an unchecked one),
// or a FIFO or pipe gives no end before `deadline`.
Result<std::optional<trust::AllowedSigners>> LoadTrust(const Options& o,
                                                       const std::string& system_path,
                                                       const Deadline& deadline, Clock& clock);

}  // namespace s3us::cli

#endif  // S3US_CLI_TRUST_CONFIG_H_

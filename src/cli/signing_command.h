// `s3-user-script sign FILE --key KEY` and `verify FILE --allowed-signers F`: make and check
// the detached SSH signatures (docs/signing.md) that boot material carries in S3.
//
// sign runs `ssh-keygen -Y sign -n s3-user-script -f KEY FILE` (argv, no shell) and writes
// FILE.sig. ssh-keygen is never asked for a passphrase (no terminal, no askpass): a key
// must be unencrypted or in an agent. It is killed, with what it started, at --deadline.
// verify is offline and uses the same code as a boot: src/trust, no ssh-keygen.
#ifndef S3US_CLI_SIGNING_COMMAND_H_
#define S3US_CLI_SIGNING_COMMAND_H_

#include <CLI/CLI.hpp>
#include <functional>

#include "cli/options.h"

namespace s3us::cli {

// Whether a subcommand gets its options (those not given on the command line need none).
using FillIf = std::function<bool(const CLI::App&)>;

struct SigningCommands {
  CLI::App* sign = nullptr;
  CLI::App* verify = nullptr;
};

// Adds the two subcommands, binding the flags of those `fill` names to `o`.
SigningCommands AddSigningCommands(CLI::App& app, Options& o, const FillIf& fill);

// Exit codes: 0 signed / good signature; 2 usage; 3 a file or ssh-keygen is missing,
// ssh-keygen failed or ran out of time, or the allowed_signers file is bad; 4 the signature is
// refused (one line naming file and reason).
int RunSign(const Options& o);
int RunVerify(const Options& o);

}  // namespace s3us::cli

#endif  // S3US_CLI_SIGNING_COMMAND_H_

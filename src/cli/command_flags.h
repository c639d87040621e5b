// The command line as CLI11 is told it: every command and its flags, bound to the fields of
// Options they fill (cli/options.cc parses with them and checks what CLI11 cannot).
#ifndef S3US_CLI_COMMAND_FLAGS_H_
#define S3US_CLI_COMMAND_FLAGS_H_

#include <string>

#include "cli/options.h"
#include "cli/signing_command.h"

namespace CLI {
class App;
}  // namespace CLI

namespace s3us::cli {

inline constexpr const char* kLegacyDefaultUrl = "https://s3.amazonaws.com";

// Flags read as text and checked once CLI11 is done with them.
struct RawFlags {
  std::string mode_text = "0600";
  std::string legacy_url = kLegacyDefaultUrl;
  std::string legacy_key;
  bool bucket_given = false;  // -b, empty or not
};

// The subcommands, to see which one was given.
struct Commands {
  CLI::App* run = nullptr;
  CLI::App* plan = nullptr;
  CLI::App* replay = nullptr;
  CLI::App* resolve = nullptr;
  CLI::App* validate = nullptr;
  CLI::App* status = nullptr;
  CLI::App* get = nullptr;
  SigningCommands signing;
};

// The top level: --version, the predecessor's -b/-k/-u and -v.
void AddRootFlags(CLI::App& app, Options& o, RawFlags& raw);
// Every command, binding the flags of the commands `fill` names to `o`.
Commands AddCommands(CLI::App& app, Options& o, RawFlags& raw, const FillIf& fill);

}  // namespace s3us::cli

#endif  // S3US_CLI_COMMAND_FLAGS_H_

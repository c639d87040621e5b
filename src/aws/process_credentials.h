// credential_process: credentials printed by a helper program the profile names.
//
// The command line is split into argv as botocore does (shlex rules: whitespace separates,
// '…' is literal, "…" allows \" and \\, \ escapes outside quotes) and run without a shell
// (posix_spawnp, so a bare name is looked up in PATH). stdin and stderr are the caller's,
// so the helper can talk to the user; stdout must be JSON {"Version": 1, "AccessKeyId",
// "SecretAccessKey", optional "SessionToken" and ISO 8601 "Expiration"}, at most 64 KiB.
// The helper runs in a process group of its own. Its stdout is read as botocore's
// communicate() does, to EOF, but once the helper has exited, only what it wrote when that
// is one whole JSON value (a process it started may keep the pipe open for ever). A helper
// still running at the deadline (or after kProcessTimeout) is killed; whatever is left of
// its group is killed when we are done with it, so nothing it started outlives the call.
// Failures are kInvalidInput with one line naming the profile and program, never the output
// (it holds secrets). Thread-safe.
#ifndef S3US_AWS_PROCESS_CREDENTIALS_H_
#define S3US_AWS_PROCESS_CREDENTIALS_H_

#include <string>
#include <vector>

#include "aws/role_providers.h"

namespace s3us::aws {

inline constexpr Clock::Duration kProcessTimeout = std::chrono::minutes(2);

// kInvalidInput for an unclosed quote, a trailing backslash or an empty command.
Result<std::vector<std::string>> SplitCommandLine(std::string_view line);

// Parses a helper's stdout. Exposed for tests.
Result<Credentials> ParseProcessOutput(std::string_view json);

class ProcessCredentialProvider : public CachingProvider {
 public:
  ProcessCredentialProvider(std::string command, std::string profile, Clock& clock,
                            Deadline deadline)
      : CachingProvider(clock),
        command_(std::move(command)),
        profile_(std::move(profile)),
        clock_(clock),
        deadline_(deadline) {}
  std::string Name() const override { return "credential_process (profile '" + profile_ + "')"; }

 private:
  Result<Credentials> Fetch() override;

  std::string command_;
  std::string profile_;
  Clock& clock_;
  Deadline deadline_;
};

}  // namespace s3us::aws

#endif  // S3US_AWS_PROCESS_CREDENTIALS_H_

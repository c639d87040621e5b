// Environment: where AWS settings come from (variables, the home directory, shared files),
// behind one injectable value so tests never touch the real environment or ~/.aws.
//
// Not responsible for what the settings mean (aws_config.h, shared_config.h). Copyable;
// the process environment is read on each call (getenv), fakes are immutable. Thread-safe
// as long as nobody calls setenv concurrently.
#ifndef S3US_AWS_ENVIRONMENT_H_
#define S3US_AWS_ENVIRONMENT_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/error.h"

namespace s3us::aws {

class Environment {
 public:
  using VarLookup = std::function<std::optional<std::string>(std::string_view name)>;
  // Returns the file's text, nullopt when it does not exist, or an error (kIo,
  // kLimitExceeded) when it exists but cannot be read.
  using FileReader = std::function<Result<std::optional<std::string>>(const std::string& path)>;

  Environment(VarLookup vars, FileReader files)
      : vars_(std::move(vars)), files_(std::move(files)) {}

  // The real process: getenv, files up to kMaxSharedFileBytes, HOME or the passwd entry.
  // A file that is a FIFO or pipe is waited for until `deadline` at most (the run's, which
  // covers the credential fetches that read token files later); `clock` must outlive it.
  static Environment Process(const Deadline& deadline, Clock& clock);
  // Fixed variables and files (path → text); other paths do not exist.
  static Environment Fake(std::map<std::string, std::string> vars,
                          std::map<std::string, std::string> files = {});

  // The variable's value, nullopt when unset. Values are returned as set (untrimmed).
  std::optional<std::string> Get(std::string_view name) const { return vars_(name); }
  // The trimmed value, nullopt when unset, empty or only whitespace (AWS SDKs treat blank
  // values as unset).
  std::optional<std::string> GetNonBlank(std::string_view name) const;
  Result<std::optional<std::string>> ReadFile(const std::string& path) const {
    return files_(path);
  }
  // $HOME; for the process environment, the passwd entry when HOME is unset.
  std::optional<std::string> HomeDir() const;
  // "~/x" → "$HOME/x"; other paths unchanged.
  std::string ExpandHome(const std::string& path) const;

 private:
  VarLookup vars_;
  FileReader files_;
  bool process_ = false;
};

// Shared config files larger than this are refused.
inline constexpr uint64_t kMaxSharedFileBytes = 1 << 20;

}  // namespace s3us::aws

#endif  // S3US_AWS_ENVIRONMENT_H_

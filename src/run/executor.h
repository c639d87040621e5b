// The real Executor (run/handler.h): runs a written part with RunProcess, the documented
// environment, the run's timeout and the run's log file, and frames each part's output in
// the log with a header and a result line. Not thread-safe (one part at a time).
#ifndef S3US_RUN_EXECUTOR_H_
#define S3US_RUN_EXECUTOR_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/instance.h"
#include "run/handler.h"
#include "run/process.h"

namespace s3us::run {

// Most bytes of one part's output that go into the run's log (docs/limits.md); the console
// still shows all of it and the part's outcome says how much the log left out.
inline constexpr uint64_t kMaxPartLogBytes = uint64_t{64} << 20;

struct ExecutorOptions {
  const InstanceFacts* instance = nullptr;
  int part_count = 0;
  std::string state_dir;
  std::string self_path;                  // S3_USER_SCRIPT; empty: unset
  char* const* base_env = nullptr;        // nullptr: this process's environ
  std::vector<std::string> env_defaults;  // ScriptEnvFacts::defaults
  std::chrono::milliseconds timeout{0};   // per part; 0: none
  std::chrono::milliseconds kill_grace{5000};
  int log_fd = -1;
  uint64_t log_limit = kMaxPartLogBytes;  // per part; 0: none
  ConsoleSink console;                    // nullptr: our stdout/stderr
};

class ProcessExecutor : public Executor {
 public:
  explicit ProcessExecutor(ExecutorOptions options) : options_(std::move(options)) {}
  Result<ExitInfo> Execute(const std::string& path, const userdata::Part& part) override;

 private:
  ExecutorOptions options_;
};

}  // namespace s3us::run

#endif  // S3US_RUN_EXECUTOR_H_

// The run lock: `run` holds an exclusive flock on <state dir>/run.lock from before it plans
// (reads, fetches, verifies) until it exits, with its pid and start time inside, so a second
// `run` is refused (two runs never both run parts) and `status` sees a run in progress, also
// while it fetches, and `status --wait` blocks until it ends. The lock goes with the process (no
// stale lock after a crash); the descriptor is close-on-exec, so parts never hold it.
#ifndef S3US_CLI_RUN_LOCK_H_
#define S3US_CLI_RUN_LOCK_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/error.h"

namespace s3us::cli {

inline constexpr const char* kRunLockName = "run.lock";

class RunLock {
 public:
  RunLock(RunLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  RunLock& operator=(RunLock&&) = delete;
  ~RunLock();

  // Creates the state dir (private) and takes the lock. kUnsafePath/kIo as MakePrivateDir;
  // kInvalidInput naming the holder's pid when another run holds it.
  static Result<RunLock> Acquire(const std::string& state_dir, const std::string& started_at);

 private:
  explicit RunLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// What the lock file says while a run holds it ({"pid": ..., "started_at": ...}); nullopt
// when no run is in progress. With `wait`, blocks until the run ends or an interrupt comes
// (core/interrupt.h; the caller asks InterruptSignal()) and returns nullopt.
std::optional<nlohmann::json> RunInProgress(const std::string& state_dir, bool wait);

}  // namespace s3us::cli

#endif  // S3US_CLI_RUN_LOCK_H_

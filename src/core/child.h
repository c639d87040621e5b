// Waiting for a child process against a deadline, so a helper we start (credential_process,
// cloud-init schema) never holds a run past its --deadline.
#ifndef S3US_CORE_CHILD_H_
#define S3US_CORE_CHILD_H_

#include <spawn.h>
#include <sys/types.h>

#include "core/clock.h"

namespace s3us {

// Whether child `pid` exits before `deadline` (it is left to be reaped by waitpid). Waits
// on a pidfd, which becomes readable when the process exits; where the kernel has none
// (Linux < 5.3) it answers true at once and the caller's waitpid is unbounded, as before.
bool ChildExitsBy(pid_t pid, const Deadline& deadline, Clock& clock);

// Waits for `pid` to exit and returns its wait status; at `deadline` kills it (SIGKILL)
// first. `killed` says which.
int ReapChildBy(pid_t pid, const Deadline& deadline, Clock& clock, bool& killed);

// posix_spawn attributes that start a helper with every signal at its default action and
// none blocked. This process ignores SIGPIPE, and an ignored signal stays ignored across
// exec: a helper writing to a pipe we closed would see EPIPE errors (and say so on our
// stderr) instead of ending quietly, as it does under a shell or the AWS CLI.
class DefaultSignalsAttr {
 public:
  DefaultSignalsAttr();
  ~DefaultSignalsAttr();
  DefaultSignalsAttr(const DefaultSignalsAttr&) = delete;
  DefaultSignalsAttr& operator=(const DefaultSignalsAttr&) = delete;

  const posix_spawnattr_t* get() const { return &attr_; }

 private:
  posix_spawnattr_t attr_;
};

}  // namespace s3us

#endif  // S3US_CORE_CHILD_H_

// Waiting for a child process against a deadline, so a helper we start (credential_process,
// cloud-init schema) never holds a run past its --deadline.
#ifndef S3US_CORE_CHILD_H_
#define S3US_CORE_CHILD_H_

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

}  // namespace s3us

#endif  // S3US_CORE_CHILD_H_

#include "core/child.h"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace s3us {

bool ChildExitsBy(pid_t pid, const Deadline& deadline, Clock& clock) {
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) return true;
  int n;
  do {
    pollfd p{pidfd, POLLIN, 0};
    long long ms = deadline.is_set() ? deadline.Remaining(clock).count() : -1;
    n = poll(&p, 1, ms < 0 ? -1 : static_cast<int>(std::min<long long>(ms, 1 << 30)));
  } while (n < 0 && errno == EINTR);
  close(pidfd);
  return n > 0;
}

int ReapChildBy(pid_t pid, const Deadline& deadline, Clock& clock, bool& killed) {
  killed = !ChildExitsBy(pid, deadline, clock);
  if (killed) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

DefaultSignalsAttr::DefaultSignalsAttr() {
  posix_spawnattr_init(&attr_);
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr_, &all);
  posix_spawnattr_setsigmask(&attr_, &none);
  posix_spawnattr_setflags(&attr_, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
}

DefaultSignalsAttr::~DefaultSignalsAttr() { posix_spawnattr_destroy(&attr_); }

}  // namespace s3us

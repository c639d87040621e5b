#include "core/child.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

extern char** environ;

namespace s3us {
namespace {

using std::chrono::milliseconds;

int PidfdOpen(pid_t pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }

// Whether `pid` has exited, leaving it to be reaped; `block` waits until it has.
bool HasExited(pid_t pid, bool block = false) {
  siginfo_t info{};
  int options = WEXITED | WNOWAIT | (block ? 0 : WNOHANG);
  int rc;
  while ((rc = waitid(P_PID, static_cast<id_t>(pid), &info, options)) < 0 && errno == EINTR) {
  }
  return rc < 0 || info.si_pid == pid;  // not our child (any more): nothing to wait for
}

bool PidfdReadableBy(int pidfd, const Deadline& deadline, Clock& clock) {
  int n;
  do {
    pollfd p{pidfd, POLLIN, 0};
    long long ms = deadline.is_set() ? deadline.Remaining(clock).count() : -1;
    n = poll(&p, 1, ms < 0 ? -1 : static_cast<int>(std::min<long long>(ms, 1 << 30)));
  } while (n < 0 && errno == EINTR);
  return n > 0;
}

// Without a pidfd: look every few milliseconds (1, 2, 4 ... 32) for the time left at the
// start, which is how long poll would have waited.
bool SeenExitingBy(pid_t pid, const Deadline& deadline, Clock& clock) {
  if (!deadline.is_set()) return HasExited(pid, /*block=*/true);
  const auto end = std::chrono::steady_clock::now() + deadline.Remaining(clock);
  milliseconds step(1);
  while (!HasExited(pid)) {
    auto left = std::chrono::duration_cast<milliseconds>(end - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    auto nap = std::min(step, left);
    timespec ts{static_cast<time_t>(nap.count() / 1000),
                static_cast<long>(nap.count() % 1000) * 1000000};
    nanosleep(&ts, nullptr);
    step = std::min(step * 2, milliseconds(32));
  }
  return true;
}

bool ExitsBy(pid_t pid, int pidfd, const Deadline& deadline, Clock& clock) {
  return pidfd >= 0 ? PidfdReadableBy(pidfd, deadline, clock) : SeenExitingBy(pid, deadline, clock);
}

// Whether our stdin is our controlling terminal and we are in its foreground.
bool InTerminalForeground() { return isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp(); }

// From the background, with SIGTTOU blocked (it would stop us), as a shell does.
void TakeTerminalBack() {
  sigset_t ttou, before;
  sigemptyset(&ttou);
  sigaddset(&ttou, SIGTTOU);
  pthread_sigmask(SIG_BLOCK, &ttou, &before);
  tcsetpgrp(STDIN_FILENO, getpgrp());
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
}

int Reap(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

}  // namespace

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

void DefaultSignalsAfterFork() {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) sigaction(sig, &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

HelperProcess::~HelperProcess() {
  if (pid_ > 0) KillGroupAndReap();
}

int HelperProcess::Start(const std::vector<std::string>& argv, posix_spawn_file_actions_t* io,
                         Group group, char* const* envp) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  DefaultSignalsAttr attr;
  short flags = 0;
  posix_spawnattr_getflags(attr.get(), &flags);
  posix_spawn_file_actions_t none;
  posix_spawn_file_actions_init(&none);
  bool take_terminal = false;
  if (group == Group::kSession) {
    flags |= POSIX_SPAWN_SETSID;
  } else {
    flags |= POSIX_SPAWN_SETPGROUP;
    posix_spawnattr_setpgroup(attr.get(), 0);
    // The child makes its group the foreground before exec: it never reads the terminal
    // from the background (SIGTTIN would stop it).
    take_terminal = InTerminalForeground() &&
                    posix_spawn_file_actions_addtcsetpgrp_np(io ? io : &none, STDIN_FILENO) == 0;
  }
  posix_spawnattr_setflags(attr.get(), flags);
  pid_t pid = -1;
  int rc =
      posix_spawnp(&pid, args[0], io ? io : &none, attr.get(), args.data(), envp ? envp : environ);
  posix_spawn_file_actions_destroy(&none);
  if (rc != 0) {
    if (take_terminal) TakeTerminalBack();  // the child may have taken it before exec failed
    return rc;
  }
  pid_ = pid;
  group_ = std::make_unique<InterruptibleGroup>(pid);
  pidfd_ = PidfdOpen(pid);  // it cannot be reaped before we do, so the pid is still its own
  has_terminal_ = take_terminal;
  return 0;
}

bool HelperProcess::Exited() const {
  if (pidfd_ < 0) return HasExited(pid_);
  pollfd p{pidfd_, POLLIN, 0};
  return poll(&p, 1, 0) > 0;
}

int HelperProcess::Finish(const Deadline& deadline, Clock& clock, bool& killed) {
  killed = !ExitsBy(pid_, pidfd_, deadline, clock);
  return KillGroupAndReap();
}

int HelperProcess::Kill() { return KillGroupAndReap(); }

// The group goes first: until the helper is reaped its pid, the group's id, cannot be
// reused, so the kill cannot reach another group.
int HelperProcess::KillGroupAndReap() {
  group_.reset();
  kill(-pid_, SIGKILL);
  int status = Reap(pid_);
  if (has_terminal_) TakeTerminalBack();
  if (pidfd_ >= 0) close(pidfd_);
  pid_ = -1;
  pidfd_ = -1;
  has_terminal_ = false;
  return status;
}

}  // namespace s3us

#include "run/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

#include "core/child.h"
#include "core/interrupt.h"
#include "run/drainer.h"

namespace s3us::run {
namespace {

using SteadyClock = std::chrono::steady_clock;

// 0, or the errno of the write that failed. Async-signal-safe (used between fork and exec).
int WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return 0;
}

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// Runs in the child between fork and execve: async-signal-safe calls only.
[[noreturn]] void ExecChild(const ProcessSpec& spec, char* const* argv, char* const* envp,
                            int devnull, int out_w, int err_w, int report_w) {
  setpgid(0, 0);
  // No controlling terminal, as under cloud-init: a part that reads /dev/tty (a prompt,
  // sudo) fails at once instead of being stopped by SIGTTIN for ever when we were started
  // from a terminal. TIOCNOTTY leaves it alone in our session rather than making it a
  // session leader (setsid), which would take any terminal it opens as its own and hang up
  // its background jobs when it exits.
  int tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (tty >= 0) {
    ioctl(tty, TIOCNOTTY);
    close(tty);
  }
  DefaultSignalsAfterFork();
  if (dup2(devnull, 0) < 0 || dup2(out_w, 1) < 0 || dup2(err_w, 2) < 0 ||
      chdir(spec.cwd.c_str()) != 0) {
    int err = errno;
    WriteAll(report_w, reinterpret_cast<const char*>(&err), sizeof err);
    _exit(127);
  }
  // Descriptors the parent opened without O_CLOEXEC must not leak into scripts.
  close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
  execve(spec.path.c_str(), argv, envp);
  int err = errno;
  WriteAll(report_w, reinterpret_cast<const char*>(&err), sizeof err);
  _exit(127);
}

// A started child: its process group leader and the read ends of its pipes.
struct Child {
  pid_t pid = -1;
  int out = -1;
  int err = -1;
  int report = -1;  // carries execve's errno; closes on a successful exec
};

// Pipes, fork and exec. kIo when a pipe or the fork cannot be made.
Result<Child> StartChild(const ProcessSpec& spec) {
  std::vector<char*> argv{const_cast<char*>(spec.path.c_str()), nullptr};
  std::vector<char*> envp;
  for (const std::string& var : spec.env) envp.push_back(const_cast<char*>(var.c_str()));
  envp.push_back(nullptr);

  int out[2] = {-1, -1}, err[2] = {-1, -1}, report[2] = {-1, -1};
  int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (devnull < 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0 ||
      pipe2(report, O_CLOEXEC) != 0) {
    int e = errno;
    for (int fd : {devnull, out[0], out[1], err[0], err[1], report[0], report[1]}) {
      if (fd >= 0) close(fd);
    }
    return Error(ErrorCode::kIo, std::string("cannot create pipes: ") + std::strerror(e));
  }
  pid_t pid = fork();
  if (pid == 0) ExecChild(spec, argv.data(), envp.data(), devnull, out[1], err[1], report[1]);
  int fork_errno = errno;
  CloseFd(devnull);
  CloseFd(out[1]);
  CloseFd(err[1]);
  CloseFd(report[1]);
  if (pid < 0) {
    CloseFd(out[0]);
    CloseFd(err[0]);
    CloseFd(report[0]);
    return Error(ErrorCode::kIo, std::string("cannot fork: ") + std::strerror(fork_errno));
  }
  setpgid(pid, pid);  // also in the child: whichever runs first wins the race
  return Child{pid, out[0], err[0], report[0]};
}

// The errno execve (or the set-up before it) failed with; nothing once the program runs.
std::optional<int> ExecFailure(int& report_fd) {
  int exec_errno = 0;
  ssize_t got;
  do {
    got = read(report_fd, &exec_errno, sizeof exec_errno);
  } while (got < 0 && errno == EINTR);
  CloseFd(report_fd);
  if (got == static_cast<ssize_t>(sizeof exec_errno)) return exec_errno;
  return std::nullopt;
}

// Watches a running child: copies its output to the console and (within the log limit)
// to the log, enforces the timeout (SIGTERM to the group, SIGKILL after the grace), sees an
// interrupt (core/interrupt.h passes the signal on to the group; SIGKILL after its grace),
// and reaps it. After the exit, output is drained until the streams close or drain_grace
// passes; streams a background job still holds then go to a drainer (run/drainer.h).
class Supervisor {
 public:
  Supervisor(const ProcessSpec& spec, Child& child, ExitInfo& info)
      : spec_(spec), child_(child), info_(info), start_(SteadyClock::now()), group_(child.pid) {
    // The child's exit wakes poll() through a pidfd; without one (kernels before 5.3) the
    // loop notices it within the poll timeout.
    pidfd_ = static_cast<int>(syscall(SYS_pidfd_open, child.pid, 0));
  }
  ~Supervisor() {
    CloseFd(child_.out);
    CloseFd(child_.err);
    CloseFd(pidfd_);
  }

  // Returns the child's wait status.
  int Run() {
    for (;;) {
      auto now = SteadyClock::now();
      if (!done_) Reap(now);
      bool streams_open = child_.out >= 0 || child_.err >= 0;
      if (done_ && (!streams_open || now >= drain_until_)) {
        HandOffLateOutput();
        return wstatus_;
      }
      if (!done_) {
        NoticeInterrupt(now);
        EnforceTimeout(now);
      }
      Pump();
    }
  }

 private:
  void Reap(SteadyClock::time_point now) {
    siginfo_t exited{};
    if (waitid(P_PID, static_cast<id_t>(child_.pid), &exited, WEXITED | WNOHANG | WNOWAIT) != 0 ||
        exited.si_pid != child_.pid) {
      return;
    }
    // Until the leader is reaped its pid names only this group: unregister and kill first.
    group_.Release();
    const int interrupt = InterruptSignal();
    // After a timeout or an interrupt, whatever the group still runs goes too.
    if ((term_sent_ || interrupt != 0) && !kill_sent_) kill(-child_.pid, SIGKILL);
    while (waitpid(child_.pid, &wstatus_, 0) < 0 && errno == EINTR) {
    }
    // The forwarded signal may end the part before this loop saw the interrupt; a part that
    // finished its work (status 0) was not interrupted.
    bool succeeded = WIFEXITED(wstatus_) && WEXITSTATUS(wstatus_) == 0;
    if (info_.interrupted == 0 && !succeeded) info_.interrupted = interrupt;
    done_ = true;
    drain_until_ = now + spec_.drain_grace;
  }

  // The watcher passed the signal on to the group; it has the interrupt grace to end.
  void NoticeInterrupt(SteadyClock::time_point now) {
    if (info_.interrupted != 0) return;
    info_.interrupted = InterruptSignal();
    if (info_.interrupted == 0) return;
    if (!term_sent_ || now + kInterruptGrace < kill_at_) kill_at_ = now + kInterruptGrace;
    term_sent_ = true;
  }

  void EnforceTimeout(SteadyClock::time_point now) {
    if (spec_.timeout.count() > 0 && !term_sent_ && now - start_ >= spec_.timeout) {
      kill(-child_.pid, SIGTERM);
      term_sent_ = true;
      info_.timed_out = true;
      kill_at_ = now + spec_.kill_grace;
    }
    if (term_sent_ && !kill_sent_ && now >= kill_at_) {
      kill(-child_.pid, SIGKILL);
      kill_sent_ = true;
    }
  }

  // Waits up to 20 ms for output or the exit, and forwards what arrived.
  void Pump() {
    struct pollfd pfds[4];
    int* streams[2];
    int numbers[2];
    nfds_t n = 0;
    for (auto [fd, number] : {std::pair<int*, int>{&child_.out, 1}, {&child_.err, 2}}) {
      if (*fd < 0) continue;
      pfds[n] = {*fd, POLLIN, 0};
      streams[n] = fd;
      numbers[n++] = number;
    }
    const nfds_t stream_count = n;
    if (pidfd_ >= 0 && !done_) pfds[n++] = {pidfd_, POLLIN, 0};
    if (info_.interrupted == 0 && InterruptFd() >= 0) pfds[n++] = {InterruptFd(), POLLIN, 0};
    if (poll(n > 0 ? pfds : nullptr, n, 20) <= 0) return;
    for (nfds_t i = 0; i < stream_count; ++i) {
      if (!(pfds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t r = read(*streams[i], buf_, sizeof buf_);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) {
        CloseFd(*streams[i]);
        continue;
      }
      Forward(numbers[i], std::string_view(buf_, static_cast<size_t>(r)));
    }
  }

  // The part ended but a background job holds its output: we do not wait for the job, and
  // its writes must not meet a pipe nobody reads once we stop reading.
  void HandOffLateOutput() {
    if (child_.out < 0 && child_.err < 0) return;
    int streams[2] = {child_.out, child_.err};
    child_.out = child_.err = -1;
    uint64_t room = spec_.log_limit == 0 ? kUnlimitedLog : spec_.log_limit - logged_;
    info_.output_handed_off = HandOffToDrainer(streams, spec_.log_fd, room);
  }

  void Forward(int stream, std::string_view chunk) {
    if (spec_.console) {
      spec_.console(stream, chunk);
    } else {
      WriteAll(stream, chunk.data(), chunk.size());
    }
    if (spec_.log_fd < 0) return;
    size_t take = chunk.size();
    if (spec_.log_limit > 0) {
      take = static_cast<size_t>(std::min<uint64_t>(take, spec_.log_limit - logged_));
    }
    // A closed console or a full disk must not stop the part: its outcome says the log is
    // incomplete, and nothing more is written to it.
    if (info_.log_errno != 0) return;
    if (int err = WriteAll(spec_.log_fd, chunk.data(), take); err != 0) {
      info_.log_errno = err;
      return;
    }
    logged_ += take;
    info_.log_dropped += chunk.size() - take;
  }

  const ProcessSpec& spec_;
  Child& child_;
  ExitInfo& info_;
  const SteadyClock::time_point start_;
  InterruptibleGroup group_;
  int pidfd_ = -1;
  SteadyClock::time_point drain_until_{}, kill_at_{};
  bool done_ = false, term_sent_ = false, kill_sent_ = false;
  int wstatus_ = 0;
  uint64_t logged_ = 0;
  char buf_[16384];
};

}  // namespace

Result<ExitInfo> RunProcess(const ProcessSpec& spec) {
  ExitInfo info;
  info.timeout = spec.timeout;
  info.log_limit = spec.log_limit;
  info.interrupted = InterruptSignal();
  if (info.interrupted != 0) return info;  // the run is winding down: start nothing
  Result<Child> child = StartChild(spec);
  if (!child.ok()) return child.error();
  if (std::optional<int> failed = ExecFailure(child->report)) {
    info.exec_errno = *failed;
    CloseFd(child->out);
    CloseFd(child->err);
    int ws;
    while (waitpid(child->pid, &ws, 0) < 0 && errno == EINTR) {
    }
    return info;
  }
  int wstatus = Supervisor(spec, *child, info).Run();
  if (WIFEXITED(wstatus)) {
    info.exited = true;
    info.status = WEXITSTATUS(wstatus);
  } else if (WIFSIGNALED(wstatus)) {
    info.signal = WTERMSIG(wstatus);
  }
  return info;
}

}  // namespace s3us::run

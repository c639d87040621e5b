#include "run/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace s3us::run {
namespace {

using SteadyClock = std::chrono::steady_clock;

void WriteAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // a closed console or a full disk must not stop the child's run
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
}

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// Runs in the child between fork and execve: async-signal-safe calls only.
[[noreturn]] void ExecChild(const ProcessSpec& spec, char* const* argv, char* const* envp,
                            int devnull, int out_w, int err_w, int report_w) {
  setpgid(0, 0);
  struct sigaction dfl;
  std::memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) sigaction(sig, &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
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

}  // namespace

Result<ExitInfo> RunProcess(const ProcessSpec& spec) {
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

  ExitInfo info;
  info.timeout = spec.timeout;
  info.log_limit = spec.log_limit;
  uint64_t logged = 0;
  int exec_errno = 0;
  ssize_t got;
  do {
    got = read(report[0], &exec_errno, sizeof exec_errno);
  } while (got < 0 && errno == EINTR);
  CloseFd(report[0]);
  if (got == static_cast<ssize_t>(sizeof exec_errno)) {
    info.exec_errno = exec_errno;
    CloseFd(out[0]);
    CloseFd(err[0]);
    int ws;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
    }
    return info;
  }

  // The child's exit wakes the poll below through a pidfd; without one (kernels before
  // 5.3) the loop notices it within the poll timeout.
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  const auto start = SteadyClock::now();
  SteadyClock::time_point drain_until{}, kill_at{};
  bool child_done = false, term_sent = false, kill_sent = false;
  int wstatus = 0;
  int fds[2] = {out[0], err[0]};
  char buf[16384];
  for (;;) {
    auto now = SteadyClock::now();
    if (!child_done) {
      pid_t r = waitpid(pid, &wstatus, WNOHANG);
      if (r == pid) {
        child_done = true;
        drain_until = now + spec.drain_grace;
        // After a timeout, whatever the group still runs goes too.
        if (term_sent && !kill_sent) kill(-pid, SIGKILL);
      }
    }
    bool open_fds = fds[0] >= 0 || fds[1] >= 0;
    if (child_done && (!open_fds || now >= drain_until)) break;
    if (!child_done && spec.timeout.count() > 0 && !term_sent && now - start >= spec.timeout) {
      kill(-pid, SIGTERM);
      term_sent = true;
      info.timed_out = true;
      kill_at = now + spec.kill_grace;
    }
    if (term_sent && !kill_sent && !child_done && now >= kill_at) {
      kill(-pid, SIGKILL);
      kill_sent = true;
    }
    struct pollfd pfds[3];
    nfds_t n = 0;
    int streams[2];
    for (int i = 0; i < 2; ++i) {
      if (fds[i] < 0) continue;
      pfds[n] = {fds[i], POLLIN, 0};
      streams[n++] = i + 1;
    }
    nfds_t stream_count = n;
    if (pidfd >= 0 && !child_done) pfds[n++] = {pidfd, POLLIN, 0};
    int ready = poll(n > 0 ? pfds : nullptr, n, 20);
    if (ready <= 0) continue;
    for (nfds_t i = 0; i < stream_count; ++i) {
      if (!(pfds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      int& fd = fds[streams[i] - 1];
      ssize_t r = read(fd, buf, sizeof buf);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) {
        CloseFd(fd);
        continue;
      }
      std::string_view chunk(buf, static_cast<size_t>(r));
      if (spec.console) {
        spec.console(streams[i], chunk);
      } else {
        WriteAll(streams[i], chunk.data(), chunk.size());
      }
      if (spec.log_fd >= 0) {
        size_t take = chunk.size();
        if (spec.log_limit > 0)
          take = static_cast<size_t>(std::min<uint64_t>(take, spec.log_limit - logged));
        WriteAll(spec.log_fd, chunk.data(), take);
        logged += take;
        info.log_dropped += chunk.size() - take;
      }
    }
  }
  CloseFd(fds[0]);
  CloseFd(fds[1]);
  CloseFd(pidfd);
  if (WIFEXITED(wstatus)) {
    info.exited = true;
    info.status = WEXITSTATUS(wstatus);
  } else if (WIFSIGNALED(wstatus)) {
    info.signal = WTERMSIG(wstatus);
  }
  return info;
}

}  // namespace s3us::run

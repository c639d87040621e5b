#include "cli/run_lock.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "core/interrupt.h"
#include "core/private_paths.h"

namespace s3us::cli {
namespace {

std::string LockPath(const std::string& state_dir) { return state_dir + "/" + kRunLockName; }

std::string ReadAll(int fd) {
  std::string text;
  char buf[512];
  ssize_t n;
  while ((n = pread(fd, buf, sizeof buf, static_cast<off_t>(text.size()))) > 0 &&
         text.size() < 4096) {
    text.append(buf, static_cast<size_t>(n));
  }
  return text;
}

int FlockRetrying(int fd, int operation) {
  int rc;
  while ((rc = flock(fd, operation)) != 0 && errno == EINTR) {
  }
  return rc;
}

// Waits for a shared lock on fd (the run's exclusive one gone) or an interrupt, whichever
// comes first. flock waits on a thread of its own, on a duplicate of fd: the wait shows in
// /proc/locks as flock(1)'s would, and an interrupt need not wait for the run (that thread
// is then left waiting until the process exits).
void WaitForUnlockOrInterrupt(int fd) {
  int waiting = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  int done[2];
  if (waiting < 0 || pipe2(done, O_CLOEXEC) != 0) {
    if (waiting >= 0) close(waiting);
    FlockRetrying(fd, LOCK_SH);
    return;
  }
  std::thread([waiting, signal_end = done[1]] {
    FlockRetrying(waiting, LOCK_SH);
    close(waiting);
    close(signal_end);  // the reader sees the end of the pipe
  }).detach();
  pollfd fds[2] = {{done[0], POLLIN, 0}, {InterruptFd(), POLLIN, 0}};
  while (poll(fds, 2, -1) < 0 && errno == EINTR) {
  }
  close(done[0]);
}

}  // namespace

RunLock::~RunLock() {
  if (fd_ >= 0) close(fd_);
}

Result<RunLock> RunLock::Acquire(const std::string& state_dir, const std::string& started_at) {
  if (Status st = MakePrivateDir(state_dir); !st.ok()) return st.error();
  int fd = open(LockPath(state_dir).c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    int err = errno;
    if (err == ELOOP)
      return Error(ErrorCode::kUnsafePath, LockPath(state_dir) + " is a symbolic link");
    return Error(ErrorCode::kIo, "cannot open " + LockPath(state_dir) + ": " + std::strerror(err));
  }
  RunLock lock(fd);
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    return Error(ErrorCode::kUnsafePath, LockPath(state_dir) + " is not a regular file");
  }
  if (FlockRetrying(fd, LOCK_EX | LOCK_NB) != 0) {
    nlohmann::json holder = nlohmann::json::parse(ReadAll(fd), nullptr, false);
    std::string pid = holder.is_object() && holder.contains("pid") ? holder["pid"].dump() : "?";
    return Error(ErrorCode::kInvalidInput, "another run (pid " + pid + ") is in progress in " +
                                               state_dir + "; s3-user-script status --wait " +
                                               "waits for it");
  }
  std::string text =
      nlohmann::json{{"pid", static_cast<int>(getpid())}, {"started_at", started_at}}.dump();
  ssize_t n = ftruncate(fd, 0) == 0 ? pwrite(fd, text.data(), text.size(), 0) : -1;
  if (n != static_cast<ssize_t>(text.size())) {
    return Error(ErrorCode::kIo, "cannot write " + LockPath(state_dir) + ": " +
                                     std::strerror(n < 0 ? errno : ENOSPC));
  }
  return lock;
}

std::optional<nlohmann::json> RunInProgress(const std::string& state_dir, bool wait) {
  // O_NONBLOCK: a FIFO at the lock's name would hold the open for ever. Only a regular file
  // is a lock a run took.
  int fd = open(LockPath(state_dir).c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return std::nullopt;
  }
  std::optional<nlohmann::json> holder;
  if (FlockRetrying(fd, LOCK_SH | LOCK_NB) != 0) {
    if (wait) {
      WaitForUnlockOrInterrupt(fd);
    } else {
      nlohmann::json j = nlohmann::json::parse(ReadAll(fd), nullptr, false);
      holder = j.is_object() ? j : nlohmann::json::object();
    }
  }
  close(fd);
  return holder;
}

}  // namespace s3us::cli

#include "run/drainer.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/child.h"

namespace s3us::run {
namespace {

// Everything below runs in the forked drainer: async-signal-safe calls only, no allocation.

constexpr char kCutNote[] =
    "\n==== background output past the part's log limit: read, not logged\n";

void AppendAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // a full disk: the writers must still never see EPIPE
    data += n;
    size -= static_cast<size_t>(n);
  }
}

// Closes every descriptor but `keep` (ascending, -1 entries first): the console and any lock
// of ours among them.
void CloseAllBut(int (&keep)[3]) {
  std::sort(keep, keep + 3);
  unsigned next = 0;
  for (int fd : keep) {
    if (fd < 0) continue;
    if (static_cast<unsigned>(fd) > next) close_range(next, static_cast<unsigned>(fd) - 1, 0);
    next = static_cast<unsigned>(fd) + 1;
  }
  close_range(next, ~0U, 0);
}

[[noreturn]] void Drain(int (&streams)[2], int log_fd, uint64_t room) {
  char buf[16384];
  bool noted_cut = false;
  for (;;) {
    struct pollfd pfds[2];
    int which[2];
    nfds_t n = 0;
    for (int i = 0; i < 2; ++i) {
      if (streams[i] < 0) continue;
      pfds[n] = {streams[i], POLLIN, 0};
      which[n++] = i;
    }
    if (n == 0) _exit(0);
    if (poll(pfds, n, -1) < 0) {
      if (errno == EINTR) continue;
      _exit(1);
    }
    for (nfds_t k = 0; k < n; ++k) {
      if (pfds[k].revents == 0) continue;
      int& fd = streams[which[k]];
      ssize_t r = read(fd, buf, sizeof buf);
      if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (r <= 0) {
        close(fd);
        fd = -1;
        continue;
      }
      size_t take = static_cast<size_t>(std::min<uint64_t>(static_cast<uint64_t>(r), room));
      room -= take;
      if (log_fd < 0) continue;
      AppendAll(log_fd, buf, take);
      if (take < static_cast<size_t>(r) && !noted_cut) {
        AppendAll(log_fd, kCutNote, sizeof kCutNote - 1);
        noted_cut = true;
      }
    }
  }
}

// The descriptors DrainerMain finds the streams and the log on.
constexpr int kFirstFd = 3;

// What the new image needs, made before the forks: the drainer may not allocate.
struct ExecArgs {
  const char* program = nullptr;  // null: drain in place
  char room[24] = {};
  char present[2] = {};  // a digit: bit i set when descriptor kFirstFd + i is passed
  char* envp[2] = {nullptr, nullptr};
};

// Moves the streams and the log to kFirstFd.. (closing those absent), /dev/null on 0-2, and
// execs `program` as `s3us-drain ROOM PRESENT`. Returns only when that failed, with the
// descriptors where DrainerMain would have found them, so the caller drains in place.
void ExecDrainer(int (&streams)[2], int& log_fd, ExecArgs& args) {
  int fds[3] = {streams[0], streams[1], log_fd};
  int high[3] = {-1, -1, -1};
  for (int i = 0; i < 3; ++i) {
    if (fds[i] >= 0 && (high[i] = fcntl(fds[i], F_DUPFD, kFirstFd + 3)) < 0) return;
  }
  for (int i = 0; i < 3; ++i) {
    if (high[i] >= 0) {
      dup2(high[i], kFirstFd + i);
    } else {
      close(kFirstFd + i);
    }
  }
  close_range(kFirstFd + 3, ~0U, 0);
  streams[0] = high[0] >= 0 ? kFirstFd : -1;
  streams[1] = high[1] >= 0 ? kFirstFd + 1 : -1;
  log_fd = high[2] >= 0 ? kFirstFd + 2 : -1;
  // The new image's own start-up may open files: they land here, never on 3-5.
  int null_fd = open("/dev/null", O_RDWR);
  if (null_fd < 0) return;
  for (int fd = 0; fd < kFirstFd; ++fd) {
    if (fd != null_fd) dup2(null_fd, fd);
  }
  if (null_fd >= kFirstFd) close(null_fd);
  char name[] = "s3us-drain";
  char* argv[] = {name, args.room, args.present, nullptr};
  execve(args.program, argv, args.envp);
}

[[noreturn]] void BecomeDrainer(int (&streams)[2], int log_fd, uint64_t log_room, ExecArgs& args) {
  int keep[3] = {streams[0], streams[1], log_fd};
  CloseAllBut(keep);
  DefaultSignalsAfterFork();
  prctl(PR_SET_NAME, "s3us-drain", 0, 0, 0);
  // A fresh image: a copy of our memory would keep the credentials, tokens and signatures
  // for as long as a background job holds the part's output (the instance's lifetime).
  if (args.program != nullptr) ExecDrainer(streams, log_fd, args);
  Drain(streams, log_fd, log_room);
}

std::string& DrainerProgram() {
  static auto* program = new std::string();
  return *program;
}

}  // namespace

void SetDrainerProgram(std::string path) { DrainerProgram() = std::move(path); }

void DrainerMain(const char* room_text, const char* present_text) {
  uint64_t room = 0;
  for (const char* c = room_text; *c >= '0' && *c <= '9'; ++c) {
    room = room * 10 + static_cast<uint64_t>(*c - '0');
  }
  const int present = present_text[0] >= '0' && present_text[0] <= '7' ? present_text[0] - '0' : 0;
  auto passed = [present](int i) { return (present >> i) & 1 ? kFirstFd + i : -1; };
  int streams[2] = {passed(0), passed(1)};
  prctl(PR_SET_NAME, "s3us-drain", 0, 0, 0);
  Drain(streams, passed(2), room);
}

bool HandOffToDrainer(int (&streams)[2], int log_fd, uint64_t log_room) {
  ExecArgs args;
  const std::string& program = DrainerProgram();
  if (!program.empty()) args.program = program.c_str();
  std::snprintf(args.room, sizeof args.room, "%llu", static_cast<unsigned long long>(log_room));
  args.present[0] = static_cast<char>('0' + (streams[0] >= 0 ? 1 : 0) + (streams[1] >= 0 ? 2 : 0) +
                                      (log_fd >= 0 ? 4 : 0));
  // The one variable the new image may need to start at all (a build not in the system's
  // library path); nothing else of our environment goes along.
  std::string library_path;
  if (const char* v = std::getenv("LD_LIBRARY_PATH")) {
    library_path = std::string("LD_LIBRARY_PATH=") + v;
    args.envp[0] = library_path.data();
  }
  pid_t middle = fork();
  if (middle == 0) {
    // The middle process leaves our session and exits at once: the drainer it forks is
    // reparented, never our child, and cannot take a controlling terminal.
    setsid();
    pid_t drainer = fork();
    if (drainer == 0) BecomeDrainer(streams, log_fd, log_room, args);
    _exit(drainer < 0 ? 1 : 0);
  }
  for (int& fd : streams) {
    if (fd >= 0) close(fd);
    fd = -1;
  }
  if (middle < 0) return false;
  int status = 0;
  while (waitpid(middle, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace s3us::run

#include "core/interrupt.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace s3us {
namespace {

using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

struct State {
  State() {
    if (pipe2(pipe, O_CLOEXEC | O_NONBLOCK) != 0) pipe[0] = pipe[1] = -1;
  }
  int pipe[2] = {-1, -1};
  std::atomic<int> signal{0};
  std::atomic<int> count{0};
  std::atomic<bool> line_claimed{false};
  std::mutex mu;
  std::vector<pid_t> groups;  // guarded by mu
};

State& GetState() {
  static State* state = new State();  // never destroyed: the watcher may use it during exit
  return *state;
}

sigset_t InterruptSignals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&set, sig);
  return set;
}

void SignalGroups(int sig) {
  State& s = GetState();
  std::lock_guard<std::mutex> l(s.mu);
  for (pid_t pgid : s.groups) kill(-pgid, sig);
}

// The last resort: nothing we started may outlive us, and the line is said once.
[[noreturn]] void EndProcess() {
  KillInterruptibleGroups();
  int sig = InterruptSignal();
  if (!ClaimInterruptLine()) {
    std::string line = "s3-user-script: error: interrupted by " + SignalName(sig) + "\n";
    ssize_t ignored = write(STDERR_FILENO, line.data(), line.size());
    (void)ignored;
  }
  _exit(InterruptExitCode(sig));
}

// The next interrupting signal, waiting at most `timeout` (none: for ever).
std::optional<int> TakeSignal(const sigset_t& set, std::optional<milliseconds> timeout) {
  const auto end = SteadyClock::now() + timeout.value_or(milliseconds(0));
  for (;;) {
    int sig;
    if (!timeout) {
      sig = sigwaitinfo(&set, nullptr);
    } else {
      auto left = std::max(milliseconds(0),
                           std::chrono::duration_cast<milliseconds>(end - SteadyClock::now()));
      timespec ts{static_cast<time_t>(left.count() / 1000),
                  static_cast<long>(left.count() % 1000) * 1000000};
      sig = sigtimedwait(&set, nullptr, &ts);
      if (sig < 0 && errno == EAGAIN) return std::nullopt;
    }
    if (sig > 0) return sig;
  }
}

void Watch() {
  const sigset_t set = InterruptSignals();
  DeliverInterrupt(*TakeSignal(set, std::nullopt));
  std::optional<int> second = TakeSignal(set, kInterruptGrace);
  if (second) {
    DeliverInterrupt(*second);
  } else {
    KillInterruptibleGroups();
  }
  if (std::optional<int> more =
          TakeSignal(set, second ? kInterruptHurryBound : kInterruptExitBound);
      more && !second) {
    DeliverInterrupt(*more);
    TakeSignal(set, kInterruptHurryBound);
  }
  EndProcess();
}

}  // namespace

void InstallInterruptWatcher() {
  GetState();
  sigset_t set = InterruptSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread(Watch).detach();
}

int InterruptSignal() { return GetState().signal.load(); }

int InterruptFd() { return GetState().pipe[0]; }

bool SleepUnlessInterrupted(milliseconds duration) {
  const auto end = SteadyClock::now() + duration;
  for (;;) {
    if (InterruptSignal() != 0) return false;
    auto left = std::chrono::duration_cast<milliseconds>(end - SteadyClock::now());
    if (left.count() <= 0) return true;
    pollfd p{InterruptFd(), POLLIN, 0};
    poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1 << 30)));
  }
}

std::string SignalName(int signal) {
  switch (signal) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
    case SIGQUIT:
      return "SIGQUIT";
    default:
      return "signal " + std::to_string(signal);
  }
}

bool ClaimInterruptLine() { return GetState().line_claimed.exchange(true); }

InterruptibleGroup::InterruptibleGroup(pid_t pgid) : pgid_(pgid) {
  State& s = GetState();
  std::lock_guard<std::mutex> l(s.mu);
  s.groups.push_back(pgid);
  // Registered after the watcher passed the signal on: it gets it now.
  if (int sig = s.signal.load(); sig != 0) kill(-pgid, s.count.load() >= 2 ? SIGKILL : sig);
}

void InterruptibleGroup::Release() {
  if (pgid_ <= 0) return;
  State& s = GetState();
  std::lock_guard<std::mutex> l(s.mu);
  s.groups.erase(std::find(s.groups.begin(), s.groups.end(), pgid_));
  pgid_ = 0;
}

void DeliverInterrupt(int signal) {
  State& s = GetState();
  int n = s.count.fetch_add(1) + 1;
  if (n == 1) {
    s.signal.store(signal);
    ssize_t ignored = write(s.pipe[1], "!", 1);
    (void)ignored;
    SignalGroups(signal);
  } else if (n == 2) {
    KillInterruptibleGroups();
  } else {
    EndProcess();
  }
}

void KillInterruptibleGroups() { SignalGroups(SIGKILL); }

void ResetInterruptForTesting() {
  State& s = GetState();
  char buf[16];
  while (read(s.pipe[0], buf, sizeof buf) > 0) {
  }
  s.signal.store(0);
  s.count.store(0);
  s.line_claimed.store(false);
}

}  // namespace s3us

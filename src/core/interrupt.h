// Interrupts: what SIGINT, SIGTERM, SIGHUP and SIGQUIT do to a run. No handler runs in
// signal context: main blocks the four before any thread exists (every thread inherits the
// mask, so libcurl's and the fetch workers' system calls never see EINTR from them) and one
// watcher thread takes them with sigwaitinfo. On the first, the watcher records it
// (InterruptSignal; InterruptFd turns readable, for loops that poll), and passes it on to
// every registered process group (a running part's, a helper's), as a shell's job gets
// Ctrl-C. The waiting loops then wind the run down, which is the caller's part. After a
// grace (or at a second signal) whatever is left of the groups is killed (SIGKILL); if we
// are still alive a bound later (a loop that never looks), or at a third signal, the
// watcher ends the process itself with InterruptExitCode.
//
// Children are started with every signal at its default and none blocked (core/child.h,
// run/process.cc), so the mask never reaches them.
#ifndef S3US_CORE_INTERRUPT_H_
#define S3US_CORE_INTERRUPT_H_

#include <sys/types.h>

#include <chrono>
#include <string>

namespace s3us {

// Time a group has between the forwarded signal and SIGKILL.
inline constexpr std::chrono::milliseconds kInterruptGrace{5000};
// Time the run has to wind down after the groups were killed before the watcher ends it.
inline constexpr std::chrono::milliseconds kInterruptExitBound{5000};
// ... and after a second signal.
inline constexpr std::chrono::milliseconds kInterruptHurryBound{1000};

// Blocks the four signals in the calling thread and starts the watcher. Call once, first in
// main, before any other thread starts.
void InstallInterruptWatcher();

// 0, or the first interrupting signal received.
int InterruptSignal();
// Readable (and stays so) once interrupted; never read from it. Valid for the process.
int InterruptFd();
// Sleeps for `duration` or until interrupted; false when interrupted.
bool SleepUnlessInterrupted(std::chrono::milliseconds duration);

// 128 + the signal number, as a shell reports a job the signal ended (130, 143).
inline int InterruptExitCode(int signal) { return 128 + signal; }
// "SIGTERM"; "signal N" for others.
std::string SignalName(int signal);

// Whether the one line saying what was interrupted has been printed; the first caller gets
// false and prints it, so the watcher's last resort does not print it again.
bool ClaimInterruptLine();

// Registers a process group to receive an interrupt while the object lives. A group
// registered after the interrupt gets the signal at once. Unregister before reaping the
// group's leader: until then its id cannot name another group.
class InterruptibleGroup {
 public:
  explicit InterruptibleGroup(pid_t pgid);
  ~InterruptibleGroup() { Release(); }
  InterruptibleGroup(const InterruptibleGroup&) = delete;
  InterruptibleGroup& operator=(const InterruptibleGroup&) = delete;
  void Release();

 private:
  pid_t pgid_;
};

// What the watcher does with each signal it takes (the first is forwarded, the second kills
// the groups, the third ends the process), so that tests deliver one without a real signal.
void DeliverInterrupt(int signal);
// Kills every registered group (SIGKILL).
void KillInterruptibleGroups();
// Forgets an interrupt delivered by a test.
void ResetInterruptForTesting();

}  // namespace s3us

#endif  // S3US_CORE_INTERRUPT_H_

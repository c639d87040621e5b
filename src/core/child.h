// Starting and waiting for a helper program against a deadline, so a helper we start
// (credential_process, cloud-init schema, ssh-keygen) never holds a run past its deadline,
// and nothing it starts outlives it.
#ifndef S3US_CORE_CHILD_H_
#define S3US_CORE_CHILD_H_

#include <spawn.h>
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/interrupt.h"

namespace s3us {

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
  posix_spawnattr_t* get() { return &attr_; }

 private:
  posix_spawnattr_t attr_;
};

// The same for a child forked without posix_spawn (a part's script, the drainer): every
// signal to its default action, none blocked. Async-signal-safe, for between fork and exec.
void DefaultSignalsAfterFork();

// A helper program in a process group of its own, started with every signal at its
// default. What it starts stays in its group unless it leaves it, so killing the group
// ends them all: Finish, Kill and the destructor kill whatever is left of the group, then
// reap the helper. Nothing started in the group outlives the object. While it runs, the group
// gets an interrupt passed on (core/interrupt.h) and is killed after the grace.
class HelperProcess {
 public:
  enum class Group {
    // Its own process group. When our stdin is the terminal and we are in its foreground,
    // the helper's group takes the foreground while it runs, as a shell gives a job the
    // terminal, so a helper may still prompt on it; we take it back when it is done.
    kOwn,
    // Its own session: no controlling terminal, so it cannot prompt on /dev/tty.
    kSession,
  };

  HelperProcess() = default;
  ~HelperProcess();
  HelperProcess(const HelperProcess&) = delete;
  HelperProcess& operator=(const HelperProcess&) = delete;

  // posix_spawnp (a name without '/' is looked up in PATH) with `io` (may be null; Start
  // may add to it) and `envp` (null: ours). 0, or posix_spawnp's error number.
  int Start(const std::vector<std::string>& argv, posix_spawn_file_actions_t* io, Group group,
            char* const* envp = nullptr);

  pid_t pid() const { return pid_; }
  // Readable once the helper has exited (its pidfd); -1 where the kernel gives none.
  int exit_fd() const { return pidfd_; }
  // Whether the helper has exited (it is not reaped).
  bool Exited() const;

  // Waits for the helper to exit until `deadline`, kills its group, reaps it: the wait
  // status. `killed` says whether it was still running at the deadline.
  int Finish(const Deadline& deadline, Clock& clock, bool& killed);
  // Kills the group now and reaps the helper: its wait status.
  int Kill();

 private:
  int KillGroupAndReap();

  pid_t pid_ = -1;
  int pidfd_ = -1;
  bool has_terminal_ = false;  // the helper's group is the terminal's foreground
  std::unique_ptr<InterruptibleGroup> group_;
};

}  // namespace s3us

#endif  // S3US_CORE_CHILD_H_

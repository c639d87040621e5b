// WithoutPidfd: runs a scenario in a forked process where pidfd_open fails with ENOSYS, as
// on Linux < 5.3, so the fallbacks for such kernels are tested on this one.
#ifndef S3US_TESTS_FAKES_WITHOUT_PIDFD_H_
#define S3US_TESTS_FAKES_WITHOUT_PIDFD_H_

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstddef>

namespace s3us::testing {

// A seccomp filter: pidfd_open fails with ENOSYS, every other call is allowed.
inline bool RefusePidfdOpen() {
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_pidfd_open, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog program{sizeof filter / sizeof filter[0], filter};
  return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
         prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) == 0 &&
         syscall(SYS_pidfd_open, getpid(), 0) == -1 && errno == ENOSYS;
}

// `scenario`'s return value, from a forked process without pidfd_open: 0 when all held,
// else the number of the step that failed (Catch2's checks cannot report from there).
inline int WithoutPidfd(int (*scenario)()) {
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) _exit(RefusePidfdOpen() ? scenario() : 100);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  return WEXITSTATUS(status);
}

}  // namespace s3us::testing

#endif  // S3US_TESTS_FAKES_WITHOUT_PIDFD_H_

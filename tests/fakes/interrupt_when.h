// Tests of interrupts (core/interrupt.h) without real signals: delivers one from another
// thread once the code under test shows it is where the test wants it (a file exists), as
// the watcher thread would; and tells when a process is gone. Waits are hang guards only.
#ifndef S3US_TESTS_FAKES_INTERRUPT_WHEN_H_
#define S3US_TESTS_FAKES_INTERRUPT_WHEN_H_

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "core/interrupt.h"

namespace s3us::testing {

// Polls `done` every 10 ms for at most a minute; whether it came true.
template <typename Predicate>
bool Eventually(Predicate done) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

inline bool FileExists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

// Whether `pid` has ended: no such process, or a zombie its new parent has yet to reap.
inline bool ProcessGone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat.is_open()) return true;
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  size_t paren = text.rfind(')');
  return paren == std::string::npos || paren + 2 >= text.size() || text[paren + 2] == 'Z';
}

// Reads a pid a script wrote.
inline pid_t PidIn(const std::string& path) {
  std::ifstream in(path);
  pid_t pid = 0;
  in >> pid;
  return pid;
}

// Delivers `signal` once `path` exists; joins and forgets the interrupt when destroyed.
class InterruptWhenFileAppears {
 public:
  InterruptWhenFileAppears(std::string path, int signal)
      : thread_([path = std::move(path), signal] {
          if (Eventually([&] { return FileExists(path); })) DeliverInterrupt(signal);
        }) {}
  ~InterruptWhenFileAppears() {
    thread_.join();
    ResetInterruptForTesting();
  }

 private:
  std::thread thread_;
};

}  // namespace s3us::testing

#endif  // S3US_TESTS_FAKES_INTERRUPT_WHEN_H_

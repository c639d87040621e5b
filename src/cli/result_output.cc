#include "cli/result_output.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>

#include "cli/exit_codes.h"

namespace s3us::cli {
namespace {

std::mutex& Mutex() {
  static std::mutex mu;
  return mu;
}

int& FirstError() {  // guarded by Mutex(); 0 while every write arrived
  static int err = 0;
  return err;
}

}  // namespace

void StdoutFailed(int err) {
  {
    std::lock_guard<std::mutex> lock(Mutex());
    if (FirstError() != 0) return;
    FirstError() = err == 0 ? EIO : err;
  }
  if (err == EPIPE) return;  // the reader is gone on purpose: nothing to tell it
  PrintError("cannot write to standard output: " + std::string(std::strerror(FirstError())));
}

bool StdoutBroken() {
  std::lock_guard<std::mutex> lock(Mutex());
  return FirstError() != 0;
}

bool WriteResult(std::string_view bytes, bool flush) {
  if (StdoutBroken()) return false;
  errno = 0;
  if (std::fwrite(bytes.data(), 1, bytes.size(), stdout) != bytes.size() ||
      (flush && std::fflush(stdout) != 0)) {
    StdoutFailed(errno);
    return false;
  }
  return true;
}

int ResultExit(int code) {
  std::lock_guard<std::mutex> lock(Mutex());
  if (FirstError() == 0) return code;
  return WorseExit(code, FirstError() == EPIPE ? kExitBrokenPipe : kExitSetup);
}

}  // namespace s3us::cli

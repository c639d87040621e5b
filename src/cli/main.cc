// s3-user-script entry point: parse the command line, run the command, exit with its code.
#include <fcntl.h>
#include <malloc.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <exception>
#include <new>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "cli/app.h"
#include "cli/exit_codes.h"
#include "cli/json_output.h"
#include "cli/options.h"
#include "cli/result_output.h"
#include "core/interrupt.h"
#include "run/drainer.h"

namespace {

// Started with 0, 1 or 2 closed (a careless parent, a daemon manager), the first files we
// open would take those numbers: our messages would go into the interrupt pipe, which then
// never stopped being readable. They are held by /dev/null opened for reading only, so they
// stay as closed as they were: a write fails with EBADF ("cannot write to standard output:
// Bad file descriptor", as `echo >&-` says) and a read finds nothing.
void HoldClosedStandardFds() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    if (open("/dev/null", O_RDONLY) == fd) continue;  // fd was the lowest free number
    // No /dev/null (a bare container): say so where a line can still go.
    static constexpr char kLine[] =
        "s3-user-script: error: a standard descriptor is closed and /dev/null cannot hold it\n";
    [[maybe_unused]] ssize_t said = write(STDERR_FILENO, kLine, sizeof kLine - 1);
    _exit(s3us::cli::kExitSetup);
  }
}

}  // namespace

int main(int argc, char** argv) {
  HoldClosedStandardFds();
  // A part's background jobs' output, drained by a fresh image of this binary (run/drainer.h).
  if (argc == 3 && std::string_view(argv[0]) == "s3us-drain") {
    s3us::run::DrainerMain(argv[1], argv[2]);
  }
  s3us::run::SetDrainerProgram("/proc/self/exe");
  // A closed stdout pipe must not kill us while we copy a child's output.
  std::signal(SIGPIPE, SIG_IGN);
  // Past RLIMIT_FSIZE a write fails with EFBIG and we say which file, as on a full disk;
  // the default action killed us without a line, a part running on. Parts get the default
  // back (core/child.h).
  std::signal(SIGXFSZ, SIG_IGN);
  // Buffers over 128 KiB (an object parsed in memory is up to 64 MiB) are mapped and given
  // back when freed. glibc raises this threshold after the first large free, and the next
  // large buffers then stay in each fetch thread's arena: sixteen 15 MiB MIME objects, parsed
  // one at a time, held 700 MB at the end instead of one object's worth.
  mallopt(M_MMAP_THRESHOLD, 128 << 10);
  bool json = false;
  int code = s3us::cli::kExitFailed;  // an exception's: what a bug gives
  try {
    std::vector<std::string> args(argv, argv + argc);
    s3us::cli::ParsedCommandLine parsed = s3us::cli::ParseCommandLine(args);
    if (!parsed.options) {
      std::string text = parsed.output;
      if (!text.empty() && text.back() != '\n') text += '\n';
      // Help and version text is the command's result; an error line goes to stderr.
      if (parsed.exit_code == s3us::cli::kExitOk) {
        s3us::cli::WriteResult(text);
        return s3us::cli::ResultExit(s3us::cli::kExitOk);
      }
      std::fputs(text.c_str(), stderr);
      if (parsed.json) {
        s3us::cli::RecordErrorLine(parsed.error);
        s3us::cli::FinishJsonOutput(parsed.exit_code, "");
      }
      return parsed.exit_code;
    }
    json = parsed.options->json;
    // Before any thread starts: SIGINT, SIGTERM, SIGHUP and SIGQUIT wind the work down
    // (core/interrupt.h) instead of leaving what we started running, and end with one line
    // (and under --json one document), `status --wait` on the run lock included.
    s3us::InstallInterruptWatcher();
    return s3us::cli::RunApp(*parsed.options);
  } catch (const std::bad_alloc&) {
    // The machine's limits (ulimit -v, a small instance), not the input: every input is
    // bounded below them. A setup failure, as a state directory that cannot be written.
    s3us::cli::PrintError("out of memory");
    code = s3us::cli::kExitSetup;
  } catch (const std::system_error& e) {
    // A thread or a lock the system refused (ulimit -u).
    s3us::cli::PrintError(std::string("the system refused a resource: ") + e.what());
    code = s3us::cli::kExitSetup;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "s3-user-script: internal error: %s\n", e.what());
    s3us::cli::RecordErrorLine(std::string("internal error: ") + e.what());
  }
  if (json) s3us::cli::FinishJsonOutput(code, "");
  return code;
}

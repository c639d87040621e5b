// A command's result on stdout (a plan, a report, a JSON or MIME document, help text, an
// object from `get -o -`) is written through here, so that a result that did not arrive is
// no success: the first failed write prints "cannot write to standard output: <strerror>"
// and ResultExit makes the command exit 3. A reader that went away (EPIPE: `plan | head`)
// gets no line, and the exit code is 141 (128 + SIGPIPE), what that signal gives any other
// tool there: we ignore SIGPIPE so that copying a part's output cannot kill us.
// Thread-safe.
#ifndef S3US_CLI_RESULT_OUTPUT_H_
#define S3US_CLI_RESULT_OUTPUT_H_

#include <string_view>

namespace s3us::cli {

// 128 + SIGPIPE.
inline constexpr int kExitBrokenPipe = 141;

// Writes `bytes` to stdout, and flushes them unless `flush` is false (a document written in
// pieces flushes with its last one). False when stdout failed, now or before.
bool WriteResult(std::string_view bytes, bool flush = true);

// Records a failed write to stdout that went another way (get's sendfile), `err` its errno:
// the line and the exit code are those of WriteResult.
void StdoutFailed(int err);

// Whether a write to stdout failed.
bool StdoutBroken();

// The exit code of a command that ended with `code`: after a failed write to stdout the
// worse of `code` and kExitSetup (kExitBrokenPipe for EPIPE), else `code`.
int ResultExit(int code);

}  // namespace s3us::cli

#endif  // S3US_CLI_RESULT_OUTPUT_H_

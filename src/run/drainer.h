// What a part's background jobs write after the part itself ended. They inherited the part's
// stdout and stderr, pipes only we read: once we stop reading (or exit), their next write
// would kill them with SIGPIPE, where under cloud-init (a long-lived tee) or a shell they
// live on. So a drainer takes the pipes over and reads them until every writer has closed
// them, appending what arrives to the run's log within what is left of the part's log limit
// and dropping the rest (still read, so no write fails).
//
// The drainer is a grandchild in a session of its own (fork, setsid, fork): never our
// zombie, never in our process group or a terminal's, holding none of our descriptors (no
// lock, not the console) but the pipes and the log. Forked from a process with threads, it
// makes async-signal-safe calls only until it execs a fresh image of the binary.
#ifndef S3US_RUN_DRAINER_H_
#define S3US_RUN_DRAINER_H_

#include <cstdint>
#include <limits>
#include <string>

namespace s3us::run {

inline constexpr uint64_t kUnlimitedLog = std::numeric_limits<uint64_t>::max();

// Hands `streams` (read ends; -1 for one already closed) to a new drainer that appends to
// `log_fd` (-1: none) at most `log_room` bytes, and closes our copies of the streams. Waits
// only for the short-lived middle process, never for the drainer. False when the drainer
// could not be started (the streams are closed all the same: a writer then gets EPIPE).
bool HandOffToDrainer(int (&streams)[2], int log_fd, uint64_t log_room);

// The program the drainer execs, as `s3us-drain ROOM PRESENT` with the streams on
// descriptors 3 and 4 and the log on 5 (PRESENT: a digit, bit i set when 3 + i is passed),
// /dev/null on 0-2 and no environment but LD_LIBRARY_PATH, so that it holds none of our memory: no
// credential, token or signature lives on in it. Empty (the default, as in unit tests): the
// forked process drains in place. The binary sets /proc/self/exe; should the exec fail, the
// drainer drains in place all the same.
void SetDrainerProgram(std::string path);
// That program's drain mode (ROOM: the log room in bytes). Never returns.
[[noreturn]] void DrainerMain(const char* room_text, const char* present_text);

}  // namespace s3us::run

#endif  // S3US_RUN_DRAINER_H_

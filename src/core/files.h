// Local files, done safely: inputs read within a size limit and a deadline, files created
// O_NOFOLLOW|O_EXCL with their final mode from the start, and atomic replacement (temp file
// in the same directory, fsync, rename). Private directories: core/private_paths.h.
//
// Errors: kIo for ordinary failures, kUnsafePath when a symlink or other non-regular file
// stands where a regular one was expected, kNotFound for a missing input file,
// kLimitExceeded when an input is larger than allowed.
#ifndef S3US_CORE_FILES_H_
#define S3US_CORE_FILES_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/error.h"

namespace s3us {

// Reads a whole file ("-" is stdin), refusing more than max_bytes, waiting for a pipe,
// FIFO, terminal or socket no longer than `deadline` (kTimeout then, naming the file): a
// FIFO nobody writes to, or a pipe whose writer never finishes, ends a run at its
// --deadline instead of holding it for ever; an interrupt (core/interrupt.h) ends the wait
// too (kInterrupted). Every path a user or the environment names is read this way.
Result<std::string> ReadFile(const std::string& path, uint64_t max_bytes, const Deadline& deadline,
                             Clock& clock);

// The same for a file that must be regular (one we wrote, or checked): anything else,
// stdin included, is refused at once (kIo, "... is not a regular file"), as with no
// deadline it could wait for ever.
Result<std::string> ReadFile(const std::string& path, uint64_t max_bytes);

// Reads all of an open regular file (`name` for messages), refusing more than max_bytes
// (kLimitExceeded); kIo on a read failure. Does not close fd.
Result<std::string> ReadOpenFile(int fd, const std::string& name, uint64_t max_bytes);

// Writes `data` to dir/name, creating it with `mode` (O_CREAT|O_EXCL|O_NOFOLLOW) after
// removing a previous regular file of that name. Never follows a symlink at the name. A
// write that fails removes the new file: nothing cut short is left. Errors name the path.
Status WriteNewFile(const std::string& path, std::string_view data, mode_t mode);
// The same, with the bytes written by `write_all` into the new file's descriptor (a copy
// from another file, without holding it in memory).
Status WriteNewFileWith(const std::string& path, mode_t mode,
                        const std::function<Status(int fd)>& write_all);
// Writes all of `data` to fd (EINTR retried). kIo on failure.
Status WriteAll(int fd, std::string_view data);

// Nothing at `path`, or a regular file (never followed if a symlink): what may be replaced.
// kUnsafePath "PATH exists and is not a regular file" otherwise.
Status CheckReplaceable(const std::string& path);

// A file being written next to its destination and renamed over it on Commit(). Until
// then nothing exists at the destination; if Commit() is never called, the temp file is
// removed. The temp file has `mode` from creation, so it is never world-readable. Where the
// file system supports O_TMPFILE it has no name until Commit(), so that a process killed
// while writing (SIGKILL, power loss) leaves nothing behind in the directory.
// Not thread-safe.
class AtomicFile {
 public:
  AtomicFile() = default;
  ~AtomicFile();
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  static Result<AtomicFile> Create(const std::string& destination, mode_t mode);

  int fd() const { return fd_; }
  const std::string& destination() const { return destination_; }
  Status Write(std::string_view data);
  // Drops what was written so far (a retried transfer).
  Status Truncate();
  // fsyncs and renames over the destination. Refuses a symlink at the destination.
  Status Commit();

 private:
  // Names the unnamed file at a fresh temporary name beside the destination.
  Status LinkTemp();
  // What messages name: the temp file, or the destination while the file has no name.
  const std::string& Where() const { return temp_path_.empty() ? destination_ : temp_path_; }

  int fd_ = -1;
  std::string destination_;
  std::string temp_path_;  // empty while the file has no name
};

}  // namespace s3us

#endif  // S3US_CORE_FILES_H_

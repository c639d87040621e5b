// Local files, done safely: private directories that are never reached through a symlink,
// files created O_NOFOLLOW|O_EXCL with their final mode from the start, and atomic
// replacement (temp file in the same directory, fsync, rename).
//
// Errors: kIo for ordinary failures, kUnsafePath when a symlink, a non-directory or a
// directory someone else owns or may write to stands where a private path (or one of its
// ancestors) was expected, kNotFound for a missing input file or directory,
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

// Opens a file whose contents decide what runs as us (an allowed_signers list) only if
// nobody else could have changed it: by the rule MakePrivateDir applies to the
// directories above a private one, every directory on the way must be owned by root or
// by us and writable by neither group nor others unless sticky; the file must be a
// regular one owned by root or by us that neither group nor others may write. A symbolic
// link on the way is followed when root or we own it (one in a sticky directory may
// belong to someone else), and the walk goes on from where it points, checked the same
// way. The walk is one component at a time through descriptors (O_NOFOLLOW), so what was
// checked is what is opened. Returns the descriptor (O_RDONLY|O_CLOEXEC; the caller
// closes it). kUnsafePath naming what is unsafe and why; kNotFound "no such file PATH";
// kIo for any other failure (permission, a loop of links), naming the path and the cause.
Result<int> OpenProtectedFile(const std::string& path);

// Reads all of an open regular file (`name` for messages), refusing more than max_bytes
// (kLimitExceeded); kIo on a read failure. Does not close fd.
Result<std::string> ReadOpenFile(int fd, const std::string& name, uint64_t max_bytes);

// Creates `path` and any missing parents; the last component gets `mode` (0700 by
// default). Fails with kUnsafePath if any component is a symlink, if the last one exists
// but is not a directory owned by us with no group/other write bit (read and search bits
// beyond `mode` are removed, a write bit is refused: what others wrote there cannot be
// trusted), or if any directory above it, up to / (a relative path: the working
// directory's too), could be changed by another user: as OpenSSH's StrictModes, each must
// be owned by root or by us and writable by neither group nor others unless sticky
// (/tmp). Otherwise a later use by path could be sent elsewhere through a swapped-in
// symlink. One lstat per component.
Status MakePrivateDir(const std::string& path, mode_t mode = 0700);

// Opens an existing directory as MakePrivateDir would accept it (no symlink on the way,
// every ancestor safe, the directory ours with no group/other write bit) and returns its
// descriptor (O_RDONLY|O_DIRECTORY|O_CLOEXEC; the caller closes it), so that what was
// checked is what is used. kNotFound when it or a parent is missing; kUnsafePath, kIo.
Result<int> OpenPrivateDir(const std::string& path);

// Creates a new 0700 directory "<parent>/<prefix><random>" and returns its path. A given
// parent must exist and pass OpenPrivateDir's checks; an empty parent is $TMPDIR (default
// /tmp), which may be shared but must be root's or ours, writable by others only if sticky,
// with safe ancestors and no symlink on the way (kUnsafePath otherwise). The directory is
// made in the parent that was checked, not in whatever its path names a moment later. kIo
// when it cannot (a missing parent included).
Result<std::string> MakePrivateTempDir(const std::string& prefix, const std::string& parent = "");

// Writes `data` to dir/name, creating it with `mode` (O_CREAT|O_EXCL|O_NOFOLLOW) after
// removing a previous regular file of that name. Never follows a symlink at the name.
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
// removed. The temp file has `mode` from creation, so it is never world-readable.
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
  int fd_ = -1;
  std::string destination_;
  std::string temp_path_;
};

}  // namespace s3us

#endif  // S3US_CORE_FILES_H_

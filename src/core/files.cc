#include "core/files.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <functional>
#include <optional>
#include <string_view>

#include "core/files_internal.h"
#include "core/interrupt.h"

namespace s3us {

namespace files_internal {

Error IoError(const std::string& what, const std::string& path, int err) {
  return Error(ErrorCode::kIo, what + " " + path + ": " + std::strerror(err));
}

std::string Dirname(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

constexpr char kSuffixChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
constexpr size_t kSuffixLength = 10;

// Drawn from the kernel's generator, as mkdtemp's are: a name nobody can guess to take first.
std::string RandomSuffix() {
  constexpr std::string_view kChars = kSuffixChars;
  unsigned char bytes[kSuffixLength] = {};
  for (size_t got = 0; got < sizeof bytes;) {
    ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0 && errno != EINTR) break;  // never: then the name repeats and mkdirat says so
    if (n > 0) got += static_cast<size_t>(n);
  }
  std::string s(sizeof bytes, 'x');
  for (size_t i = 0; i < sizeof bytes; ++i) s[i] = kChars[bytes[i] % kChars.size()];
  return s;
}

bool IsRandomSuffix(std::string_view s) {
  return s.size() == kSuffixLength &&
         s.find_first_not_of(std::string_view(kSuffixChars)) == std::string_view::npos;
}

}  // namespace files_internal

namespace {

using files_internal::Dirname;
using files_internal::IoError;
using files_internal::RandomSuffix;

// Waits until `fd` has data, EOF or an error to read, the deadline passes or an interrupt.
Status WaitReadable(int fd, const std::string& name, const Deadline& deadline, Clock& clock) {
  for (;;) {
    int timeout_ms = -1;
    if (deadline.is_set()) {
      timeout_ms = static_cast<int>(
          std::min<Clock::Duration::rep>(deadline.Remaining(clock).count(), INT_MAX));
    }
    struct pollfd p[2] = {{fd, POLLIN, 0}, {InterruptFd(), POLLIN, 0}};
    int n = poll(p, 2, timeout_ms);
    if (InterruptSignal() != 0) {
      return Error(ErrorCode::kInterrupted, "interrupted while reading " + name);
    }
    if (n > 0) return Ok();
    if (n == 0)
      return Error(ErrorCode::kTimeout,
                   "nothing more to read from " + name + " before the deadline");
    if (errno != EINTR) return IoError("cannot wait for", name, errno);
  }
}

// How long a read may wait for a non-regular file; none: such a file is refused.
struct Waiting {
  const Deadline& deadline;
  Clock& clock;
};

// Reads fd to its end (without closing it); a non-regular file only with `waiting`.
Result<std::string> ReadDescriptor(int fd, const std::string& name, uint64_t max_bytes,
                                   std::optional<Waiting> waiting) {
  // A regular file is read into one allocation of its size (plus one byte to see EOF);
  // pipes and files that grow while read fall back to doubling.
  std::string out;
  struct stat st;
  size_t capacity = 64 * 1024;
  bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
  if (!regular && !waiting) return Error(ErrorCode::kIo, name + " is not a regular file");
  if (regular && st.st_size >= 0) {
    capacity =
        static_cast<size_t>(std::min<uint64_t>(static_cast<uint64_t>(st.st_size), max_bytes)) + 1;
    capacity = std::max<size_t>(capacity, 4096);
  }
  out.resize(capacity);
  // Reading one byte past max_bytes is how an over-long input is seen.
  const uint64_t read_limit = max_bytes < SIZE_MAX - 1 ? max_bytes + 1 : SIZE_MAX - 1;
  size_t used = 0;
  for (;;) {
    if (used == out.size()) {
      if (used >= read_limit) break;
      out.resize(static_cast<size_t>(std::min<uint64_t>(uint64_t{out.size()} * 2, read_limit)));
    }
    if (!regular) {
      if (Status ready = WaitReadable(fd, name, waiting->deadline, waiting->clock); !ready.ok()) {
        return ready.error();
      }
    }
    ssize_t n = read(fd, out.data() + used, out.size() - used);
    if (n < 0) {
      // EAGAIN: a non-blocking stdin that poll called ready, then another reader drained.
      if (errno == EINTR || (!regular && errno == EAGAIN)) continue;
      return IoError("cannot read", name, errno);
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  if (used > max_bytes) {
    return Error(ErrorCode::kLimitExceeded,
                 name + " is larger than " + std::to_string(max_bytes) + " bytes");
  }
  out.resize(used);
  return out;
}

Result<std::string> ReadFileUntil(const std::string& path, uint64_t max_bytes,
                                  std::optional<Waiting> waiting) {
  const std::string name = path == "-" ? "standard input" : path;
  // O_NONBLOCK: opening a FIFO would otherwise wait for a writer, past any deadline. It is
  // cleared at once (our own open file; stdin's flags are shared and left alone): reads
  // wait in poll, where the deadline applies.
  int fd = path == "-" ? dup(STDIN_FILENO) : open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return Error(ErrorCode::kNotFound, "no such file " + path);
    return IoError("cannot open", name, err);
  }
  if (path != "-") fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  Result<std::string> text = ReadDescriptor(fd, name, max_bytes, waiting);
  close(fd);
  return text;
}

}  // namespace

Result<std::string> ReadFile(const std::string& path, uint64_t max_bytes) {
  return ReadFileUntil(path, max_bytes, std::nullopt);
}

Result<std::string> ReadFile(const std::string& path, uint64_t max_bytes, const Deadline& deadline,
                             Clock& clock) {
  return ReadFileUntil(path, max_bytes, Waiting{deadline, clock});
}

Result<std::string> ReadOpenFile(int fd, const std::string& name, uint64_t max_bytes) {
  return ReadDescriptor(fd, name, max_bytes, std::nullopt);
}

Status WriteNewFileWith(const std::string& path, mode_t mode,
                        const std::function<Status(int fd)>& write_all) {
  if (Status replaceable = CheckReplaceable(path); !replaceable.ok()) return replaceable;
  if (unlink(path.c_str()) != 0 && errno != ENOENT) return IoError("cannot replace", path, errno);
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) {
    int err = errno;
    if (err == ELOOP || err == EEXIST) {
      return Error(ErrorCode::kUnsafePath, path + " appeared while it was being created");
    }
    return IoError("cannot create", path, err);
  }
  // A file cut short (a full disk) is removed: a script or a cloud-config half written must
  // never be found later as if it were whole. It is ours: O_EXCL made it.
  if (Status s = write_all(fd); !s.ok()) {
    close(fd);
    unlink(path.c_str());
    return std::move(s.error()).WithContext("writing " + path);
  }
  if (fchmod(fd, mode) != 0 || close(fd) != 0) {
    int err = errno;
    unlink(path.c_str());
    return IoError("cannot finish", path, err);
  }
  return Ok();
}

Status WriteAll(int fd, std::string_view data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error(ErrorCode::kIo, std::string("cannot write: ") + std::strerror(errno));
    }
    off += static_cast<size_t>(n);
  }
  return Ok();
}

Status WriteNewFile(const std::string& path, std::string_view data, mode_t mode) {
  return WriteNewFileWith(path, mode, [data](int fd) { return WriteAll(fd, data); });
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) {
    close(fd_);
    if (!temp_path_.empty()) unlink(temp_path_.c_str());
  }
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : fd_(other.fd_),
      destination_(std::move(other.destination_)),
      temp_path_(std::move(other.temp_path_)) {
  other.fd_ = -1;
}

Status CheckReplaceable(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    return Error(ErrorCode::kUnsafePath, path + " exists and is not a regular file");
  }
  return Ok();
}

namespace {

// "." + base + ".tmp-" + 10 characters must fit NAME_MAX (255) for any base that does: a
// long one is cut, the random suffix keeps the name unique.
std::string TempPathFor(const std::string& destination) {
  std::string base = destination.substr(destination.rfind('/') + 1).substr(0, 200);
  return Dirname(destination) + "/." + base + ".tmp-" + RandomSuffix();
}

}  // namespace

Result<AtomicFile> AtomicFile::Create(const std::string& destination, mode_t mode) {
  if (Status replaceable = CheckReplaceable(destination); !replaceable.ok()) {
    return replaceable.error();
  }
  std::string dir = Dirname(destination);
  AtomicFile file;
  file.destination_ = destination;
  file.fd_ = open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, mode);
  // Without O_TMPFILE (EOPNOTSUPP, or EISDIR from older kernels), a named temp file.
  for (int attempt = 0; file.fd_ < 0 && attempt < 8; ++attempt) {
    file.temp_path_ = TempPathFor(destination);
    file.fd_ =
        open(file.temp_path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (file.fd_ < 0 && errno != EEXIST) {
      return IoError("cannot create a temporary file in", dir, errno);
    }
  }
  if (file.fd_ < 0) return Error(ErrorCode::kIo, "cannot create a temporary file in " + dir);
  // The umask may have narrowed the mode; set exactly what was asked.
  if (fchmod(file.fd_, mode) != 0) return IoError("cannot set mode of", file.Where(), errno);
  return file;
}

// linkat cannot replace a file, so the unnamed file gets a temporary name first and
// Commit() renames that over the destination, as for a named temp file. AT_EMPTY_PATH needs
// CAP_DAC_READ_SEARCH; /proc/self/fd works for anyone where /proc is mounted.
Status AtomicFile::LinkTemp() {
  const std::string proc = "/proc/self/fd/" + std::to_string(fd_);
  for (int attempt = 0; attempt < 8; ++attempt) {
    std::string path = TempPathFor(destination_);
    if (linkat(fd_, "", AT_FDCWD, path.c_str(), AT_EMPTY_PATH) == 0 ||
        linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, path.c_str(), AT_SYMLINK_FOLLOW) == 0) {
      temp_path_ = std::move(path);
      return Ok();
    }
    if (errno != EEXIST) return IoError("cannot link into", Dirname(destination_), errno);
  }
  return Error(ErrorCode::kIo, "cannot link into " + Dirname(destination_));
}

Status AtomicFile::Write(std::string_view data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = write(fd_, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot write", Where(), errno);
    }
    off += static_cast<size_t>(n);
  }
  return Ok();
}

Status AtomicFile::Truncate() {
  if (ftruncate(fd_, 0) != 0 || lseek(fd_, 0, SEEK_SET) != 0) {
    return IoError("cannot truncate", Where(), errno);
  }
  return Ok();
}

Status AtomicFile::Commit() {
  if (fsync(fd_) != 0) return IoError("cannot sync", Where(), errno);
  if (Status replaceable = CheckReplaceable(destination_); !replaceable.ok()) return replaceable;
  if (temp_path_.empty()) {
    if (Status linked = LinkTemp(); !linked.ok()) return linked;
  }
  if (rename(temp_path_.c_str(), destination_.c_str()) != 0) {
    return IoError("cannot rename into", destination_, errno);
  }
  close(fd_);
  fd_ = -1;
  return Ok();
}

}  // namespace s3us

#include "core/files.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <optional>
#include <vector>

#include "core/interrupt.h"

namespace s3us {
namespace {

Error IoError(const std::string& what, const std::string& path, int err) {
  return Error(ErrorCode::kIo, what + " " + path + ": " + std::strerror(err));
}

std::string Dirname(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Drawn from the kernel's generator, as mkdtemp's are: a name nobody can guess to take first.
std::string RandomSuffix() {
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  unsigned char bytes[10] = {};
  for (size_t got = 0; got < sizeof bytes;) {
    ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0 && errno != EINTR) break;  // never: then the name repeats and mkdirat says so
    if (n > 0) got += static_cast<size_t>(n);
  }
  std::string s(sizeof bytes, 'x');
  for (size_t i = 0; i < sizeof bytes; ++i) s[i] = kChars[bytes[i] % (sizeof kChars - 1)];
  return s;
}

// An absolute form of `path` (relative to the working directory, whose own ancestors are
// checked too), so that every directory up to / can be checked.
Result<std::string> Absolute(const std::string& path) {
  if (path[0] == '/') return path;
  char cwd[PATH_MAX];
  if (getcwd(cwd, sizeof cwd) == nullptr) return IoError("cannot resolve", path, errno);
  return std::string(cwd) + (cwd[1] == '\0' ? "" : "/") + path;
}

// The components of an absolute path, without empty ones and ".".
std::vector<std::string> Components(const std::string& path) {
  std::vector<std::string> comps;
  for (size_t pos = 0; pos < path.size();) {
    size_t next = std::min(path.find('/', pos), path.size());
    std::string comp = path.substr(pos, next - pos);
    if (!comp.empty() && comp != ".") comps.push_back(std::move(comp));
    pos = next + 1;
  }
  return comps;
}

std::string Join(const std::string& dir, const std::string& comp) {
  return dir == "/" ? "/" + comp : dir + "/" + comp;
}

// As OpenSSH's StrictModes: a directory above a private one must be root's or ours and
// writable by nobody else unless sticky (/tmp), or whoever can write to it could swap what
// lies below for a symlink after we checked it and before we use it by path.
Status CheckAncestor(const std::string& dir, const struct stat& st, const std::string& below) {
  if (st.st_uid != 0 && st.st_uid != geteuid()) {
    return Error(ErrorCode::kUnsafePath, dir + " is owned by another user (uid " +
                                             std::to_string(st.st_uid) + "), who could replace " +
                                             below);
  }
  if ((st.st_mode & 022) != 0 && (st.st_mode & S_ISVTX) == 0) {
    return Error(ErrorCode::kUnsafePath,
                 dir + " is writable by group or others, who could replace " + below);
  }
  return Ok();
}

// The private directory itself: ours, and writable by nobody else.
Status CheckOwnDir(const std::string& dir, const struct stat& st) {
  if (st.st_uid != geteuid()) {
    return Error(ErrorCode::kUnsafePath, dir + " is owned by another user");
  }
  if ((st.st_mode & 022) != 0) {
    return Error(ErrorCode::kUnsafePath, dir + " is writable by group or others");
  }
  return Ok();
}

// What the last directory of a checked path must be: ours alone (a private directory), or
// only safe to hold one (a shared parent such as /tmp: root's or ours, sticky if others
// may write).
enum class Final { kOwn, kParent };

// Opens `path` one component at a time, following none that is a symlink, each ancestor
// safe (CheckAncestor) and the directory itself as `final` says. The caller works through
// the descriptor, so what was checked is what it uses.
Result<int> OpenCheckedDir(const std::string& path, Final final = Final::kOwn) {
  Result<std::string> absolute = Absolute(path);
  if (!absolute.ok()) return absolute.error();
  std::string dir = "/";
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open", dir, errno);
  for (const std::string& comp : Components(*absolute)) {
    struct stat st;
    Status safe = fstat(fd, &st) == 0 ? CheckAncestor(dir, st, *absolute)
                                      : IoError("cannot inspect", dir, errno);
    if (!safe.ok()) {
      close(fd);
      return safe.error();
    }
    dir = Join(dir, comp);
    int child = openat(fd, comp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int err = errno;
    close(fd);
    if (child < 0 && err == ELOOP) {
      return Error(ErrorCode::kUnsafePath, dir + " is a symbolic link");
    }
    if (child < 0 && err == ENOTDIR) {
      return Error(ErrorCode::kUnsafePath, dir + " is not a directory");
    }
    if (child < 0 && err == ENOENT) return Error(ErrorCode::kNotFound, "no such directory " + dir);
    if (child < 0) return IoError("cannot open", dir, err);
    fd = child;
  }
  struct stat st;
  Status usable = fstat(fd, &st) != 0    ? IoError("cannot inspect", *absolute, errno)
                  : final == Final::kOwn ? CheckOwnDir(*absolute, st)
                                         : CheckAncestor(*absolute, st, "what is made in it");
  if (!usable.ok()) {
    close(fd);
    return usable.error();
  }
  return fd;
}

// Creates `dir` with `mode` unless it exists; `st` receives what is there (lstat), which
// must be a real directory, never a symlink.
Status MakeOrInspectDir(const std::string& dir, mode_t mode, struct stat& st) {
  if (lstat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT) return IoError("cannot inspect", dir, errno);
    if (mkdir(dir.c_str(), mode) != 0 && errno != EEXIST) {
      return IoError("cannot create directory", dir, errno);
    }
    if (lstat(dir.c_str(), &st) != 0) return IoError("cannot inspect", dir, errno);
  }
  if (S_ISLNK(st.st_mode)) return Error(ErrorCode::kUnsafePath, dir + " is a symbolic link");
  if (!S_ISDIR(st.st_mode)) return Error(ErrorCode::kUnsafePath, dir + " is not a directory");
  return Ok();
}

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

// The protected file reached: regular, and changeable by nobody but root and us.
Status CheckProtectedFile(const std::string& file, const struct stat& st) {
  if (!S_ISREG(st.st_mode)) return Error(ErrorCode::kUnsafePath, file + " is not a regular file");
  if (st.st_uid != 0 && st.st_uid != geteuid()) {
    return Error(ErrorCode::kUnsafePath,
                 file + " is owned by another user (uid " + std::to_string(st.st_uid) + ")");
  }
  if ((st.st_mode & 022) != 0) {
    return Error(ErrorCode::kUnsafePath, file + " is writable by group or others");
  }
  return Ok();
}

// Linux's limit on the symbolic links one lookup follows.
constexpr int kMaxSymlinks = 40;

// OpenProtectedFile's walk: `todo` holds the components still to go, the next one last.
class ProtectedWalk {
 public:
  explicit ProtectedWalk(std::string path) : path_(std::move(path)) {}
  ~ProtectedWalk() {
    if (fd_ >= 0) close(fd_);
  }

  Result<int> Run(const std::string& absolute) {
    Restart();
    if (fd_ < 0) return IoError("cannot open", dir_, errno);
    Push(absolute);
    if (todo_.empty()) return Error(ErrorCode::kUnsafePath, path_ + " is not a regular file");
    while (!todo_.empty()) {
      std::string comp = std::move(todo_.back());
      todo_.pop_back();
      struct stat st;
      if (fstat(fd_, &st) != 0) return IoError("cannot inspect", dir_, errno);
      if (Status safe = CheckAncestor(dir_, st, path_); !safe.ok()) return safe.error();
      const std::string here = comp == ".." ? Dirname(dir_) : Join(dir_, comp);
      if (fstatat(fd_, comp.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) return Error(ErrorCode::kNotFound, "no such file " + here);
        return IoError("cannot inspect", here, errno);
      }
      if (S_ISLNK(st.st_mode)) {
        if (Status followed = Follow(comp, here, st); !followed.ok()) return followed.error();
        continue;
      }
      if (!todo_.empty()) {
        if (Status entered = Enter(comp, here); !entered.ok()) return entered.error();
        continue;
      }
      return OpenLast(comp, here);
    }
    return Error(ErrorCode::kUnsafePath, path_ + " is not a regular file");
  }

 private:
  void Restart() {
    if (fd_ >= 0) close(fd_);
    dir_ = "/";
    fd_ = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  }

  void Push(const std::string& path) {
    std::vector<std::string> comps = Components(path);
    todo_.insert(todo_.end(), comps.rbegin(), comps.rend());
  }

  Status Follow(const std::string& comp, const std::string& here, const struct stat& st) {
    if (st.st_uid != 0 && st.st_uid != geteuid()) {
      return Error(ErrorCode::kUnsafePath,
                   here + " is a symbolic link owned by another user (uid " +
                       std::to_string(st.st_uid) + "), who could point it elsewhere");
    }
    if (++links_ > kMaxSymlinks) return IoError("cannot open", path_, ELOOP);
    std::string target(PATH_MAX, '\0');
    ssize_t n = readlinkat(fd_, comp.c_str(), target.data(), target.size());
    if (n < 0) return IoError("cannot read link", here, errno);
    target.resize(static_cast<size_t>(n));
    if (target.empty()) return Error(ErrorCode::kNotFound, "no such file " + here);
    if (target[0] == '/') {
      Restart();
      if (fd_ < 0) return IoError("cannot open", dir_, errno);
    }
    Push(target);
    return Ok();
  }

  Status Enter(const std::string& comp, const std::string& here) {
    int child = openat(fd_, comp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (child < 0 && errno == ENOTDIR) {
      return Error(ErrorCode::kUnsafePath, here + " is not a directory");
    }
    if (child < 0) return IoError("cannot open", here, errno);
    close(fd_);
    fd_ = child;
    dir_ = here;
    return Ok();
  }

  // O_NONBLOCK: a FIFO here must not hold the open; it is refused as not regular.
  Result<int> OpenLast(const std::string& comp, const std::string& here) {
    int file = openat(fd_, comp.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (file < 0) return IoError("cannot open", here, errno);
    struct stat st;
    Status usable = fstat(file, &st) == 0 ? CheckProtectedFile(here, st)
                                          : IoError("cannot inspect", here, errno);
    if (!usable.ok()) {
      close(file);
      return usable.error();
    }
    fcntl(file, F_SETFL, fcntl(file, F_GETFL) & ~O_NONBLOCK);
    return file;
  }

  const std::string path_;
  std::vector<std::string> todo_;
  std::string dir_;
  int fd_ = -1;
  int links_ = 0;
};

}  // namespace

Result<std::string> ReadFile(const std::string& path, uint64_t max_bytes) {
  return ReadFileUntil(path, max_bytes, std::nullopt);
}

Result<std::string> ReadFile(const std::string& path, uint64_t max_bytes, const Deadline& deadline,
                             Clock& clock) {
  return ReadFileUntil(path, max_bytes, Waiting{deadline, clock});
}

Result<int> OpenProtectedFile(const std::string& path) {
  if (path.empty()) return Error(ErrorCode::kNotFound, "no such file (empty path)");
  Result<std::string> absolute = Absolute(path);
  if (!absolute.ok()) return absolute.error();
  return ProtectedWalk(path).Run(*absolute);
}

Result<std::string> ReadOpenFile(int fd, const std::string& name, uint64_t max_bytes) {
  return ReadDescriptor(fd, name, max_bytes, std::nullopt);
}

Result<int> OpenPrivateDir(const std::string& path) {
  if (path.empty()) return Error(ErrorCode::kIo, "empty directory path");
  return OpenCheckedDir(path);
}

Status MakePrivateDir(const std::string& path, mode_t mode) {
  if (path.empty()) return Error(ErrorCode::kIo, "empty directory path");
  Result<std::string> absolute = Absolute(path);
  if (!absolute.ok()) return absolute.error();
  std::string dir = "/";
  struct stat st;
  if (lstat(dir.c_str(), &st) != 0) return IoError("cannot inspect", dir, errno);
  // Each component in turn: checked as an ancestor, then the next one made or inspected.
  const std::vector<std::string> comps = Components(*absolute);
  for (size_t i = 0; i < comps.size(); ++i) {
    if (Status safe = CheckAncestor(dir, st, *absolute); !safe.ok()) return safe;
    dir = Join(dir, comps[i]);
    if (Status made = MakeOrInspectDir(dir, i + 1 == comps.size() ? mode : 0755, st); !made.ok()) {
      return made;
    }
  }
  if (Status own = CheckOwnDir(dir, st); !own.ok()) return own;
  // Read and search bits beyond `mode` are only narrowed; a write bit was refused above.
  if ((st.st_mode & 07777) != mode && chmod(dir.c_str(), mode) != 0) {
    return IoError("cannot set mode of", dir, errno);
  }
  return Ok();
}

Result<std::string> MakePrivateTempDir(const std::string& prefix, const std::string& parent) {
  const char* tmp = std::getenv("TMPDIR");
  const std::string dir_path = !parent.empty() ? parent : tmp && *tmp ? tmp : "/tmp";
  // $TMPDIR is shared (/tmp) but must still be safe: another user able to replace the new
  // directory could hand what we write there, or sign or run from it, to us or take it.
  Result<int> dir = OpenCheckedDir(dir_path, parent.empty() ? Final::kParent : Final::kOwn);
  if (!dir.ok() && dir.error().code() == ErrorCode::kNotFound) {
    return Error(ErrorCode::kIo, dir.error().message());  // a parent to create in: kIo
  }
  if (!dir.ok()) return dir.error();
  // mkdtemp has no *at form: the name is drawn here and mkdirat's EEXIST says "draw again".
  for (int attempt = 0; attempt < 8; ++attempt) {
    std::string name = prefix + RandomSuffix();
    if (mkdirat(*dir, name.c_str(), 0700) == 0) {
      close(*dir);
      return dir_path + "/" + name;
    }
    if (errno != EEXIST) break;
  }
  int err = errno;
  close(*dir);
  return IoError("cannot create a temporary directory in", dir_path, err);
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
  if (Status s = write_all(fd); !s.ok()) {
    close(fd);
    return std::move(s.error()).WithContext("writing " + path);
  }
  if (fchmod(fd, mode) != 0 || close(fd) != 0) return IoError("cannot finish", path, errno);
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
    unlink(temp_path_.c_str());
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

Result<AtomicFile> AtomicFile::Create(const std::string& destination, mode_t mode) {
  if (Status replaceable = CheckReplaceable(destination); !replaceable.ok()) {
    return replaceable.error();
  }
  std::string dir = Dirname(destination);
  // "." + base + ".tmp-" + 10 characters must fit NAME_MAX (255) for any base that does:
  // a long one is cut, the random suffix keeps the name unique.
  std::string base = destination.substr(destination.rfind('/') + 1).substr(0, 200);
  AtomicFile file;
  file.destination_ = destination;
  for (int attempt = 0; attempt < 8; ++attempt) {
    file.temp_path_ = dir + "/." + base + ".tmp-" + RandomSuffix();
    file.fd_ =
        open(file.temp_path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (file.fd_ >= 0) break;
    if (errno != EEXIST) return IoError("cannot create a temporary file in", dir, errno);
  }
  if (file.fd_ < 0) return Error(ErrorCode::kIo, "cannot create a temporary file in " + dir);
  // The umask may have narrowed the mode; set exactly what was asked.
  if (fchmod(file.fd_, mode) != 0) return IoError("cannot set mode of", file.temp_path_, errno);
  return file;
}

Status AtomicFile::Write(std::string_view data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = write(fd_, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot write", temp_path_, errno);
    }
    off += static_cast<size_t>(n);
  }
  return Ok();
}

Status AtomicFile::Truncate() {
  if (ftruncate(fd_, 0) != 0 || lseek(fd_, 0, SEEK_SET) != 0) {
    return IoError("cannot truncate", temp_path_, errno);
  }
  return Ok();
}

Status AtomicFile::Commit() {
  if (fsync(fd_) != 0) return IoError("cannot sync", temp_path_, errno);
  if (Status replaceable = CheckReplaceable(destination_); !replaceable.ok()) return replaceable;
  if (rename(temp_path_.c_str(), destination_.c_str()) != 0) {
    return IoError("cannot rename into", destination_, errno);
  }
  close(fd_);
  fd_ = -1;
  return Ok();
}

}  // namespace s3us

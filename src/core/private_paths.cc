#include "core/private_paths.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <vector>

#include "core/files_internal.h"

namespace s3us {
namespace {

using files_internal::Dirname;
using files_internal::IoError;
using files_internal::IsRandomSuffix;
using files_internal::RandomSuffix;

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

// OpenProtectedFile's walk: `pending_` holds the components still to go, the next one last.
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
    if (pending_.empty()) return Error(ErrorCode::kUnsafePath, path_ + " is not a regular file");
    while (!pending_.empty()) {
      std::string comp = std::move(pending_.back());
      pending_.pop_back();
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
      if (!pending_.empty()) {
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
    pending_.insert(pending_.end(), comps.rbegin(), comps.rend());
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
  std::vector<std::string> pending_;
  std::string dir_;
  int fd_ = -1;
  int links_ = 0;
};

}  // namespace

Result<int> OpenProtectedFile(const std::string& path) {
  if (path.empty()) return Error(ErrorCode::kNotFound, "no such file (empty path)");
  Result<std::string> absolute = Absolute(path);
  if (!absolute.ok()) return absolute.error();
  return ProtectedWalk(path).Run(*absolute);
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

bool IsPrivateTempDirName(std::string_view name, std::string_view prefix) {
  return name.starts_with(prefix) && IsRandomSuffix(name.substr(prefix.size()));
}

}  // namespace s3us

#include "expand/include_once_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "core/crypto.h"
#include "core/files.h"

namespace s3us::expand {

namespace {

constexpr char kStagedSuffix[] = ".staged";

Error CacheError(ErrorCode code, std::string message) {
  return Error(code, std::move(message)).WithContext("reading the include-once cache");
}

// A body another user wrote, or could have, would run as us: only our own file, that
// nobody else may write to, is one we stored.
Status CheckOwnEntry(const std::string& path, const struct stat& st) {
  if (!S_ISREG(st.st_mode)) {
    return CacheError(ErrorCode::kUnsafePath, path + " is not a regular file");
  }
  if (st.st_uid != geteuid()) {
    return CacheError(ErrorCode::kUnsafePath, path + " is owned by another user");
  }
  if ((st.st_mode & 022) != 0) {
    return CacheError(ErrorCode::kUnsafePath, path + " is writable by group or others");
  }
  return Ok();
}

}  // namespace

std::string IncludeOnceCache::PathFor(std::string_view url) const {
  return dir_ + "/" + Sha256Hex(url);
}

Result<std::optional<int>> IncludeOnceCache::Open(std::string_view url) const {
  if (!enabled()) return std::optional<int>();
  // The directory is checked as Store makes it (MakePrivateDir) before anything in it is
  // believed, and the entry is opened through the descriptor that was checked.
  Result<int> dir = OpenPrivateDir(dir_);
  if (!dir.ok() && dir.error().code() == ErrorCode::kNotFound) return std::optional<int>();
  if (!dir.ok()) return std::move(dir.error()).WithContext("reading the include-once cache");
  const std::string name = Sha256Hex(url);
  // O_NONBLOCK: a FIFO planted here would otherwise hold the open for ever; on the regular
  // file the cache holds it changes nothing.
  int fd = openat(*dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  int err = errno;
  close(*dir);
  if (fd < 0 && err == ENOENT) return std::optional<int>();
  if (fd < 0) {
    return CacheError(ErrorCode::kIo, "cannot open " + PathFor(url) + ": " + std::strerror(err));
  }
  struct stat st;
  Status own = fstat(fd, &st) == 0 ? CheckOwnEntry(PathFor(url), st)
                                   : CacheError(ErrorCode::kIo, "cannot inspect " + PathFor(url) +
                                                                    ": " + std::strerror(errno));
  if (!own.ok()) {
    close(fd);
    return std::move(own.error());
  }
  return std::optional<int>(fd);
}

Status IncludeOnceCache::Store(std::string_view url, const userdata::Payload& body) {
  if (!enabled()) return Ok();
  if (Status s = MakePrivateDir(dir_, 0700); !s.ok()) {
    return std::move(s.error()).WithContext("writing the include-once cache");
  }
  const std::string path = PathFor(url);
  Result<AtomicFile> file = AtomicFile::Create(path + kStagedSuffix, 0600);
  if (!file.ok()) return std::move(file.error()).WithContext("writing the include-once cache");
  if (Status s = body.CopyTo(file->fd()); !s.ok()) {
    return std::move(s.error()).WithContext("writing the include-once cache");
  }
  if (Status s = file->Commit(); !s.ok()) {
    return std::move(s.error()).WithContext("writing the include-once cache");
  }
  staged_.push_back(path);
  return Ok();
}

std::vector<std::string> IncludeOnceCache::TakeStaged() { return std::exchange(staged_, {}); }

IncludeOnceCache::~IncludeOnceCache() { DropIncludeOnce(staged_); }

Status CommitIncludeOnce(const std::vector<std::string>& staged) {
  Status result = Ok();
  for (const std::string& path : staged) {
    if (rename((path + kStagedSuffix).c_str(), path.c_str()) != 0 && result.ok()) {
      result = Error(ErrorCode::kIo, "cannot keep " + path + ": " + std::strerror(errno))
                   .WithContext("writing the include-once cache");
    }
  }
  return result;
}

void DropIncludeOnce(const std::vector<std::string>& staged) {
  for (const std::string& path : staged) unlink((path + kStagedSuffix).c_str());
}

}  // namespace s3us::expand

#include "expand/include_once_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/crypto.h"
#include "core/files.h"

namespace s3us::expand {

std::string IncludeOnceCache::PathFor(std::string_view url) const {
  return dir_ + "/" + Sha256Hex(url);
}

Result<std::optional<int>> IncludeOnceCache::Open(std::string_view url) const {
  if (!enabled()) return std::optional<int>();
  // O_NONBLOCK: a FIFO planted here would otherwise hold the open for ever; on the regular
  // file the cache holds it changes nothing.
  int fd = open(PathFor(url).c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return std::optional<int>();
    return Error(ErrorCode::kIo, "cannot open " + PathFor(url) + ": " + std::strerror(err))
        .WithContext("reading the include-once cache");
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return Error(ErrorCode::kUnsafePath, PathFor(url) + " is not a regular file")
        .WithContext("reading the include-once cache");
  }
  return std::optional<int>(fd);
}

Status IncludeOnceCache::Store(std::string_view url, const userdata::Payload& body) {
  if (!enabled()) return Ok();
  if (Status s = MakePrivateDir(dir_, 0700); !s.ok()) {
    return std::move(s.error()).WithContext("writing the include-once cache");
  }
  Result<AtomicFile> file = AtomicFile::Create(PathFor(url), 0600);
  if (!file.ok()) return std::move(file.error()).WithContext("writing the include-once cache");
  if (Status s = body.CopyTo(file->fd()); !s.ok()) {
    return std::move(s.error()).WithContext("writing the include-once cache");
  }
  if (Status s = file->Commit(); !s.ok()) {
    return std::move(s.error()).WithContext("writing the include-once cache");
  }
  return Ok();
}

}  // namespace s3us::expand

#include "expand/include_once_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <utility>

#include "core/crypto.h"
#include "core/files.h"
#include "core/log.h"
#include "core/private_paths.h"
#include "trust/sshsig.h"

namespace s3us::expand {

namespace {

constexpr char kStagedSuffix[] = ".staged";
constexpr char kSignatureSuffix[] = ".sig";

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

Result<std::optional<int>> IncludeOnceCache::OpenEntry(const std::string& name) const {
  if (!enabled()) return std::optional<int>();
  // The directory is checked as Store makes it (MakePrivateDir) before anything in it is
  // believed, and the entry is opened through the descriptor that was checked.
  Result<int> dir = OpenPrivateDir(dir_);
  if (!dir.ok() && dir.error().code() == ErrorCode::kNotFound) return std::optional<int>();
  // A dry run by a user who may not read the state (root's: "permission denied", "owned by
  // another user") shows what would be fetched, and says why.
  if (!dir.ok() && read_only_) {
    LogWarning("the dry run does not read the include-once cache: " + dir.error().ToString());
    return std::optional<int>();
  }
  if (!dir.ok()) return std::move(dir.error()).WithContext("reading the include-once cache");
  const std::string path = dir_ + "/" + name;
  // O_NONBLOCK: a FIFO planted here would otherwise hold the open for ever; on the regular
  // file the cache holds it changes nothing.
  int fd = openat(*dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  int err = errno;
  close(*dir);
  if (fd < 0 && err == ENOENT) return std::optional<int>();
  if (fd < 0) return CacheError(ErrorCode::kIo, "cannot open " + path + ": " + std::strerror(err));
  struct stat st;
  Status own =
      fstat(fd, &st) == 0
          ? CheckOwnEntry(path, st)
          : CacheError(ErrorCode::kIo, "cannot inspect " + path + ": " + std::strerror(errno));
  if (!own.ok()) {
    close(fd);
    return std::move(own.error());
  }
  return std::optional<int>(fd);
}

Result<std::optional<int>> IncludeOnceCache::Open(std::string_view url) const {
  return OpenEntry(Sha256Hex(url));
}

Result<std::optional<std::string>> IncludeOnceCache::Signature(std::string_view url) const {
  Result<std::optional<int>> fd = OpenEntry(Sha256Hex(url) + kSignatureSuffix);
  if (!fd.ok()) return fd.error();
  if (!*fd) return std::optional<std::string>();
  Result<std::string> text =
      ReadOpenFile(**fd, PathFor(url) + kSignatureSuffix, trust::kMaxArmoredSignatureBytes);
  close(**fd);
  if (!text.ok()) return std::move(text.error()).WithContext("reading the include-once cache");
  return std::optional<std::string>(std::move(*text));
}

Status IncludeOnceCache::Store(std::string_view url, const userdata::Payload& body,
                               std::string_view signature) {
  if (!enabled() || read_only_) return Ok();
  if (Status s = MakePrivateDir(dir_, 0700); !s.ok()) {
    return std::move(s.error()).WithContext("writing the include-once cache");
  }
  const std::string path = PathFor(url);
  auto stage = [](const std::string& to, const std::function<Status(int)>& write) -> Status {
    Result<AtomicFile> file = AtomicFile::Create(to + kStagedSuffix, 0600);
    if (!file.ok()) return file.error();
    if (Status s = write(file->fd()); !s.ok()) return s;
    return file->Commit();
  };
  Status staged = stage(path, [&body](int fd) { return body.CopyTo(fd); });
  // The signature is staged and kept with its body. Without one, a signature kept with an
  // earlier body goes: it could only ever verify other bytes.
  if (staged.ok() && signature.empty()) unlink((path + kSignatureSuffix).c_str());
  if (staged.ok() && !signature.empty()) {
    staged =
        stage(path + kSignatureSuffix, [signature](int fd) { return WriteAll(fd, signature); });
  }
  if (!staged.ok()) {
    DropIncludeOnce({path, path + kSignatureSuffix});
    return std::move(staged.error()).WithContext("writing the include-once cache");
  }
  staged_.push_back(path);
  if (!signature.empty()) staged_.push_back(path + kSignatureSuffix);
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

#include "expand/body_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "core/crypto.h"
#include "core/files.h"

namespace s3us::expand {
namespace {

Error WorkFileError(const std::string& what, int err) {
  return Error(ErrorCode::kIo, what + " in the work directory: " + std::strerror(err));
}

Result<std::string> HashFile(int fd, uint64_t size) {
  StreamHasher hasher;
  std::string chunk(256 * 1024, '\0');
  for (uint64_t at = 0; at < size;) {
    ssize_t n = pread(fd, chunk.data(), chunk.size(), static_cast<off_t>(at));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return WorkFileError("cannot read a file", errno);
    if (n == 0) return Error(ErrorCode::kIo, "a work file is shorter than written");
    hasher.Update(chunk.data(), static_cast<size_t>(n));
    at += static_cast<uint64_t>(n);
  }
  return Hex(hasher.FinishSha256());
}

}  // namespace

Result<int> OpenAnonymousFile(const std::string& dir) {
  int fd = open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return fd;
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
    return WorkFileError("cannot create a file", errno);
  }
  std::string name = dir + "/body-XXXXXX";
  fd = mkostemp(name.data(), O_CLOEXEC);  // 0600, O_EXCL: never an existing file or link
  if (fd < 0) return WorkFileError("cannot create a file", errno);
  if (unlink(name.c_str()) != 0) {
    int err = errno;
    close(fd);
    return WorkFileError("cannot unlink a file", err);
  }
  return fd;
}

SpillSink::~SpillSink() {
  if (fd_ >= 0) close(fd_);
}

Status SpillSink::Spill() {
  Result<int> fd = OpenAnonymousFile(dir_);
  if (!fd.ok()) return fd.error();
  fd_ = *fd;
  if (Status s = WriteAll(fd_, memory_); !s.ok()) return s.error().WithContext("work file");
  std::string().swap(memory_);
  return Ok();
}

Status SpillSink::Write(std::string_view chunk) {
  bytes_ += chunk.size();
  if (fd_ < 0 && !dir_.empty() && memory_.size() + chunk.size() > in_memory_bytes_) {
    if (Status s = Spill(); !s.ok()) return s;
  }
  if (fd_ < 0) {
    memory_.append(chunk);
    return Ok();
  }
  if (Status s = WriteAll(fd_, chunk); !s.ok()) return s.error().WithContext("work file");
  return Ok();
}

Status SpillSink::Reset() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  std::string().swap(memory_);
  bytes_ = 0;
  return Ok();
}

Result<userdata::Payload> SpillSink::Take(const userdata::Source& verified) {
  if (bytes_ != verified.size) {
    return Error(ErrorCode::kIntegrity, "the body held (" + std::to_string(bytes_) +
                                            " bytes) is not the body verified (" +
                                            std::to_string(verified.size) + " bytes)");
  }
  if (fd_ < 0) return userdata::Payload(std::move(memory_));
  std::string sha256 = verified.sha256;
  if (sha256.empty()) {
    // The verifier was not asked for the digest: computed once here, from the file.
    Result<std::string> hashed = HashFile(fd_, bytes_);
    if (!hashed.ok()) return hashed.error();
    sha256 = std::move(*hashed);
  }
  auto file = std::make_shared<const userdata::PayloadFile>(fd_, bytes_, std::move(sha256));
  fd_ = -1;
  return userdata::Payload::FromFile(std::move(file));
}

Result<userdata::Payload> DecodedWriter::Finish() {
  userdata::Source whole;
  whole.size = sink_.bytes();  // no digest yet: Take computes it from the file, if any
  return sink_.Take(whole);
}

}  // namespace s3us::expand

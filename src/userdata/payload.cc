#include "userdata/payload.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "core/crypto.h"
#include "core/files.h"

namespace s3us::userdata {
namespace {

constexpr size_t kChunkBytes = 256 * 1024;

Error ReadError(int err) {
  return Error(ErrorCode::kIo, std::string("cannot read a fetched body: ") + std::strerror(err));
}

// Exactly n bytes from offset, or an error: a file shorter than recorded is never a
// silent short read.
Status PreadFull(int fd, uint64_t offset, char* out, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = pread(fd, out + got, n - got, static_cast<off_t>(offset + got));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return ReadError(errno);
    if (r == 0) return Error(ErrorCode::kIo, "a fetched body's file is shorter than verified");
    got += static_cast<size_t>(r);
  }
  return Ok();
}

}  // namespace

PayloadFile::~PayloadFile() {
  if (fd_ >= 0) close(fd_);
}

Result<Payload> Payload::FromFile(std::shared_ptr<const PayloadFile> file) {
  Payload p;
  p.head_.resize(static_cast<size_t>(std::min<uint64_t>(file->size(), kHeadBytes)));
  if (Status s = PreadFull(file->fd(), 0, p.head_.data(), p.head_.size()); !s.ok()) {
    return s.error();
  }
  p.file_ = std::move(file);
  return p;
}

std::string_view Payload::head() const {
  if (file_) return head_;
  return std::string_view(bytes_).substr(0, kHeadBytes);
}

Result<std::string> Payload::ReadHead(uint64_t n) const {
  n = std::min(n, size());
  if (!file_) return bytes_.substr(0, static_cast<size_t>(n));
  std::string out(static_cast<size_t>(n), '\0');
  if (Status s = PreadFull(file_->fd(), 0, out.data(), out.size()); !s.ok()) return s.error();
  return out;
}

PayloadView& PayloadView::operator=(PayloadView&& other) noexcept {
  std::swap(bytes_, other.bytes_);
  std::swap(mapping_, other.mapping_);
  std::swap(released_, other.released_);
  return *this;
}

void PayloadView::Release(size_t offset) {
  constexpr size_t kStep = 4 << 20;  // a multiple of the page size
  size_t end = std::min(offset, bytes_.size()) / kStep * kStep;
  if (mapping_ == nullptr || end == 0 || end == released_) return;
  // Read-only and private, the mapping holds no page of its own: the file's stay in the
  // page cache. From the start: a new pass may have faulted earlier pages in again.
  madvise(mapping_, end, MADV_DONTNEED);
  released_ = end;
}

PayloadView::~PayloadView() {
  if (mapping_ != nullptr) munmap(mapping_, bytes_.size());
}

Result<PayloadView> Payload::View(uint64_t max_bytes) const {
  if (size() > max_bytes) {
    return Error(ErrorCode::kLimitExceeded, "a payload of " + std::to_string(size()) +
                                                " bytes is over the limit of " +
                                                std::to_string(max_bytes) + " bytes in memory");
  }
  PayloadView view;
  if (!file_) {
    view.bytes_ = bytes_;
    return view;
  }
  if (size() == 0) return view;  // nothing to map (mmap refuses a length of 0)
  struct stat st {};
  if (fstat(file_->fd(), &st) != 0) return ReadError(errno);
  if (static_cast<uint64_t>(st.st_size) < size()) {
    return Error(ErrorCode::kIo, "a fetched body's file is shorter than verified");
  }
  size_t n = static_cast<size_t>(size());
  void* p = mmap(nullptr, n, PROT_READ, MAP_PRIVATE, file_->fd(), 0);
  if (p == MAP_FAILED) return ReadError(errno);
  view.mapping_ = p;
  view.bytes_ = std::string_view(static_cast<const char*>(p), n);
  return view;
}

Status Payload::ForEachChunk(const std::function<Status(std::string_view)>& fn) const {
  if (!file_) return bytes_.empty() ? Ok() : fn(bytes_);
  std::string chunk(kChunkBytes, '\0');
  for (uint64_t at = 0; at < size();) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(kChunkBytes, size() - at));
    if (Status s = PreadFull(file_->fd(), at, chunk.data(), n); !s.ok()) return s;
    if (Status s = fn(std::string_view(chunk.data(), n)); !s.ok()) return s;
    at += n;
  }
  return Ok();
}

Status Payload::CopyTo(int fd) const {
  if (!file_) return WriteAll(fd, bytes_);
  // In the kernel, without passing through our memory; a file system that cannot
  // (EXDEV before 5.3, EINVAL, ENOSYS) falls back to sendfile, then to chunks.
  loff_t in = 0;
  while (static_cast<uint64_t>(in) < size()) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(size() - in, 1u << 30));
    ssize_t n = copy_file_range(file_->fd(), &in, fd, nullptr, want, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && in == 0) break;  // not supported here: fall back
    if (n < 0) return Error(ErrorCode::kIo, std::string("cannot copy: ") + std::strerror(errno));
    if (n == 0) return Error(ErrorCode::kIo, "a fetched body's file is shorter than verified");
  }
  if (static_cast<uint64_t>(in) == size()) return Ok();
  off_t off = 0;
  while (static_cast<uint64_t>(off) < size()) {
    ssize_t n = sendfile(fd, file_->fd(), &off, static_cast<size_t>(size() - off));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && off == 0) break;
    if (n < 0) return Error(ErrorCode::kIo, std::string("cannot copy: ") + std::strerror(errno));
    if (n == 0) return Error(ErrorCode::kIo, "a fetched body's file is shorter than verified");
  }
  if (static_cast<uint64_t>(off) == size()) return Ok();
  return ForEachChunk([fd](std::string_view chunk) { return WriteAll(fd, chunk); });
}

std::string Payload::Sha256Hex() const { return file_ ? file_->sha256() : s3us::Sha256Hex(bytes_); }

bool operator==(const Payload& a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (const std::string* bytes = a.memory()) return std::string_view(*bytes) == b;
  size_t at = 0;
  Status s = a.ForEachChunk([&](std::string_view chunk) {
    if (b.substr(at, chunk.size()) != chunk)
      return Status(Error(ErrorCode::kInvalidInput, "differs"));
    at += chunk.size();
    return Ok();
  });
  return s.ok();
}

}  // namespace s3us::userdata

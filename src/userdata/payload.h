// Payload: a part's decoded bytes, held either in memory (user data, MIME and gzip objects,
// small objects) or in a verified anonymous file (a large fetched object, so memory stays
// flat in object size). There is no accessor that returns a file's bytes as a view: code
// asks for what it needs by name — the head, the whole under a limit (read, or mapped), a
// copy into a file, the bytes chunk by chunk — so nothing reads a file-backed payload partly
// by accident.
// Copies share the file; the descriptor closes with the last copy. Thread-compatible:
// reads use pread/copy_file_range with explicit offsets.
#ifndef S3US_USERDATA_PAYLOAD_H_
#define S3US_USERDATA_PAYLOAD_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "core/error.h"

namespace s3us::userdata {

// A file of verified bytes. Only the fetch path makes one, after the streaming verifier
// passed; the descriptor is owned and closed on destruction (the file has no name, so
// nothing is left behind).
class PayloadFile {
 public:
  // Takes ownership of fd. sha256: hex digest the verifier computed over exactly `size` bytes.
  PayloadFile(int fd, uint64_t size, std::string sha256)
      : fd_(fd), size_(size), sha256_(std::move(sha256)) {}
  ~PayloadFile();
  PayloadFile(const PayloadFile&) = delete;
  PayloadFile& operator=(const PayloadFile&) = delete;

  int fd() const { return fd_; }
  uint64_t size() const { return size_; }
  const std::string& sha256() const { return sha256_; }

 private:
  int fd_;
  uint64_t size_;
  std::string sha256_;
};

// A payload's bytes seen whole without a copy (Payload::View): the memory itself, or a
// read-only mapping of the file, whose pages are the page cache's and are given back with
// it. Move-only; the bytes stay valid while it lives.
class PayloadView {
 public:
  PayloadView() = default;
  PayloadView(PayloadView&& other) noexcept { *this = std::move(other); }
  PayloadView& operator=(PayloadView&& other) noexcept;
  ~PayloadView();

  std::string_view bytes() const { return bytes_; }
  // Gives back the mapped pages before `offset`, a step at a time, when a pass over the
  // bytes has read them: a later read faults them in again from the page cache, so the
  // bytes stay valid and resident memory stays about a step. No effect on memory.
  void Release(size_t offset);

 private:
  friend class Payload;
  std::string_view bytes_;
  void* mapping_ = nullptr;  // munmap'd with the view; null for memory or an empty file
  size_t released_ = 0;      // the last offset released before
};

class Payload {
 public:
  // Bytes a file-backed payload keeps in memory for type detection (starts-with formats,
  // "#!" lines, CRLF checks).
  static constexpr uint64_t kHeadBytes = 4096;

  Payload() = default;
  Payload(std::string bytes) : bytes_(std::move(bytes)) {}  // NOLINT: in memory
  Payload(const Payload&) = default;
  Payload(Payload&&) noexcept = default;
  Payload& operator=(const Payload&) = default;
  // Frees the bytes held before: std::string's move assignment keeps its buffer when the new
  // value is short, so a 60 MiB payload replaced by a file-backed one (or by an empty one)
  // would keep its 60 MiB.
  Payload& operator=(Payload&& other) noexcept {
    Payload taken(std::move(other));
    bytes_.swap(taken.bytes_);
    file_.swap(taken.file_);
    head_.swap(taken.head_);
    return *this;
  }
  Payload(const char* bytes) : bytes_(bytes) {}  // NOLINT: in memory
  // kIo when the head cannot be read.
  static Result<Payload> FromFile(std::shared_ptr<const PayloadFile> file);

  uint64_t size() const { return file_ ? file_->size() : bytes_.size(); }
  bool empty() const { return size() == 0; }
  bool in_memory() const { return file_ == nullptr; }
  // The bytes when they are in memory; null for a file-backed payload.
  const std::string* memory() const { return file_ ? nullptr : &bytes_; }
  // The first min(size(), kHeadBytes) bytes.
  std::string_view head() const;
  // The first min(size(), n) bytes. kIo on a read failure.
  Result<std::string> ReadHead(uint64_t n) const;
  // All the bytes without a copy, for a reader that needs them at once: a file is mapped
  // read-only. kLimitExceeded when the payload is over max_bytes; kIo when the file cannot
  // be mapped or is shorter than verified (a mapping read past its end would be a crash,
  // not an error: never a short view).
  Result<PayloadView> View(uint64_t max_bytes) const;
  // Calls fn on consecutive chunks covering every byte; stops at fn's first error.
  Status ForEachChunk(const std::function<Status(std::string_view)>& fn) const;
  // Appends every byte to fd (copy_file_range for files). kIo on failure.
  Status CopyTo(int fd) const;
  // Hex SHA-256 of the bytes (a file's was computed while it was verified).
  std::string Sha256Hex() const;

  // Byte equality (reads a file-backed payload in chunks; false on a read failure).
  friend bool operator==(const Payload& a, std::string_view b);

 private:
  std::string bytes_;
  std::shared_ptr<const PayloadFile> file_;
  std::string head_;  // file-backed only
};

// Where a decoder writes a result that may be large (a gunzipped object), so that it need
// not be held in memory: the layer that owns the private work directory gives one that
// moves to a file past a threshold. Not thread-safe: one per result.
class PayloadWriter {
 public:
  virtual ~PayloadWriter() = default;
  // kIo when the bytes cannot be kept.
  virtual Status Write(std::string_view chunk) = 0;
  // Every byte written, as a payload (in memory or file-backed). Called once.
  virtual Result<Payload> Finish() = 0;
};

}  // namespace s3us::userdata

#endif  // S3US_USERDATA_PAYLOAD_H_

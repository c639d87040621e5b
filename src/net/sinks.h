// BodySinks for the two places a 2xx body can go: memory (small documents, IMDS answers)
// and a file (S3 objects, streamed so a 1 GiB body never sits in memory).
// Both enforce a size limit while streaming; neither verifies checksums (fetch/ does).
// Not thread-safe: a sink belongs to one Send() at a time.
#ifndef S3US_NET_SINKS_H_
#define S3US_NET_SINKS_H_

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/files.h"
#include "net/transport.h"

namespace s3us::net {

inline constexpr uint64_t kNoLimit = std::numeric_limits<uint64_t>::max();

class MemorySink : public BodySink {
 public:
  explicit MemorySink(uint64_t max_bytes = kNoLimit) : max_bytes_(max_bytes) {}
  // kLimitExceeded once the body would pass max_bytes (nothing of that chunk is kept).
  Status Write(std::string_view chunk) override;
  Status Reset() override;

  const std::string& data() const { return data_; }
  std::string Take() { return std::move(data_); }

 private:
  uint64_t max_bytes_;
  std::string data_;
};

// Writes into an AtomicFile: nothing appears at the destination until Commit(). Starts the
// writeback of every kWritebackStep bytes as they are written, so that the disk works while
// the body streams and Commit's fsync waits only for the tail.
class FileSink : public BodySink {
 public:
  FileSink(AtomicFile file, uint64_t max_bytes = kNoLimit)
      : file_(std::move(file)), max_bytes_(max_bytes) {}
  // Creates the AtomicFile for `destination` with `mode`. Errors: as AtomicFile::Create.
  static Result<FileSink> Create(const std::string& destination, mode_t mode,
                                 uint64_t max_bytes = kNoLimit);

  // kLimitExceeded past max_bytes, kIo on a write failure.
  Status Write(std::string_view chunk) override;
  // Truncates the temporary file (a retried transfer starts over).
  Status Reset() override;
  // Renames the finished file into place (AtomicFile::Commit).
  Status Commit() { return file_.Commit(); }

  uint64_t bytes_written() const { return written_; }
  AtomicFile& file() { return file_; }

  static constexpr uint64_t kWritebackStep = uint64_t{8} << 20;

 private:
  AtomicFile file_;
  uint64_t max_bytes_;
  uint64_t written_ = 0;
  uint64_t writeback_from_ = 0;  // bytes before this offset have their writeback started
};

}  // namespace s3us::net

#endif  // S3US_NET_SINKS_H_

#include "net/sinks.h"

#include <fcntl.h>

namespace s3us::net {
namespace {

Error TooLarge(uint64_t max_bytes) {
  return Error(ErrorCode::kLimitExceeded,
               "body larger than the limit of " + std::to_string(max_bytes) + " bytes");
}

}  // namespace

Status MemorySink::Write(std::string_view chunk) {
  if (chunk.size() > max_bytes_ - data_.size()) return TooLarge(max_bytes_);
  data_.append(chunk);
  return Ok();
}

Status MemorySink::Reset() {
  data_.clear();
  return Ok();
}

Result<FileSink> FileSink::Create(const std::string& destination, mode_t mode, uint64_t max_bytes) {
  Result<AtomicFile> file = AtomicFile::Create(destination, mode);
  if (!file.ok()) return std::move(file).error();
  return FileSink(std::move(file).value(), max_bytes);
}

Status FileSink::Write(std::string_view chunk) {
  if (chunk.size() > max_bytes_ - written_) return TooLarge(max_bytes_);
  if (Status s = file_.Write(chunk); !s.ok()) return s;
  written_ += chunk.size();
  if (written_ - writeback_from_ >= kWritebackStep) {
    // Only a hint: a failure here shows up, if it matters, at Commit's fsync.
    sync_file_range(file_.fd(), static_cast<off_t>(writeback_from_),
                    static_cast<off_t>(written_ - writeback_from_), SYNC_FILE_RANGE_WRITE);
    writeback_from_ = written_;
  }
  return Ok();
}

Status FileSink::Reset() {
  if (Status s = file_.Truncate(); !s.ok()) return s;
  written_ = 0;
  writeback_from_ = 0;
  return Ok();
}

}  // namespace s3us::net

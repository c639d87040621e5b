// SpillSink: where a fetched body streams (behind the fetcher's verifier). Bodies up to a
// small threshold stay in memory (the many-small-objects case pays no file); a larger one
// moves to an anonymous 0600 file in the private work directory, so memory stays flat in
// object size. The bytes become a Payload only through Take(), which asks for the verified
// record: a body the verifier refused is never read, and its file vanishes with the sink.
// Not thread-safe: one per fetch.
#ifndef S3US_EXPAND_BODY_SINK_H_
#define S3US_EXPAND_BODY_SINK_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"
#include "net/transport.h"
#include "userdata/part.h"
#include "userdata/payload.h"

namespace s3us::expand {

class SpillSink : public net::BodySink {
 public:
  static constexpr uint64_t kInMemoryBytes = 1u << 20;

  // work_dir: a private (0700) directory; empty keeps every body in memory.
  explicit SpillSink(std::string work_dir, uint64_t in_memory_bytes = kInMemoryBytes)
      : dir_(std::move(work_dir)), in_memory_bytes_(in_memory_bytes) {}
  ~SpillSink() override;
  SpillSink(const SpillSink&) = delete;
  SpillSink& operator=(const SpillSink&) = delete;

  // kIo when the work file cannot be created or written.
  Status Write(std::string_view chunk) override;
  // Starts over (a retried transfer): the file, if any, is dropped.
  Status Reset() override;

  // REQUIRES: the fetch that filled this sink succeeded, and `verified` is its record (the
  // verifier's size and SHA-256). kIntegrity when the bytes held are not verified.size.
  Result<userdata::Payload> Take(const userdata::Source& verified);

  bool spilled() const { return fd_ >= 0; }
  uint64_t bytes() const { return bytes_; }  // written since the last Reset

 private:
  Status Spill();

  std::string dir_;
  uint64_t in_memory_bytes_;
  std::string memory_;
  int fd_ = -1;
  uint64_t bytes_ = 0;
};

// Where a fetched object's gunzipped content goes as it is produced (a parse option): a
// SpillSink, so a large result is a file-backed payload and memory stays flat in the
// decompressed size. The content is the decoding of a verified body; its SHA-256 is
// computed from the file when it is kept there.
class DecodedWriter : public userdata::PayloadWriter {
 public:
  explicit DecodedWriter(std::string work_dir) : sink_(std::move(work_dir)) {}
  Status Write(std::string_view chunk) override { return sink_.Write(chunk); }
  Result<userdata::Payload> Finish() override;

 private:
  SpillSink sink_;
};

// A new 0600 file in `dir` that has no name (O_TMPFILE; where the file system cannot, a
// name made O_EXCL|O_NOFOLLOW and removed at once), so nothing is ever left behind.
// Returns the descriptor (read-write, close-on-exec). kIo when it cannot.
Result<int> OpenAnonymousFile(const std::string& dir);

}  // namespace s3us::expand

#endif  // S3US_EXPAND_BODY_SINK_H_

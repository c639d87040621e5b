// VerifyingSink: the one streaming verifier every fetch route ends in (S3 GetObject, plain
// http(s), `get`). It counts the body against the size limit as it streams, hashes it with
// only the digests its checks need, and on Finish() checks the length the server declared
// and every expected digest, naming the evidence it had ("content-length, sha256 pin").
//
// Expectations come from two places: the caller (a sha256= pin, before the body) and the
// answer's headers (Begin(): Content-Length here, protocol-specific ones through a
// HeadReader, e.g. S3's checksums and ETag). Deciding whether that evidence is enough is
// the caller's business.
//
// Past its first MiB, a body is hashed and handed on by threads of the sink's own
// (ChunkPipeline, 1 MiB in flight), so that receiving, hashing and writing overlap and the
// transport's thread only copies; small documents are handled inline, without a thread.
// Not thread-safe: one per fetch; the transport may call it from its own thread while the
// caller waits. The forward sink gets Write() from one thread at a time, and Begin() and
// Reset() only while no Write() runs.
#ifndef S3US_NET_VERIFYING_SINK_H_
#define S3US_NET_VERIFYING_SINK_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto.h"
#include "core/error.h"
#include "net/chunk_pipeline.h"
#include "net/transport.h"

namespace s3us::net {

// S3's checksum algorithms (x-amz-checksum-*) and the ETag's MD5.
enum class Digest { kSha256, kMd5, kCrc32, kSha1, kCrc32c, kCrc64Nvme };

// One digest the body must have.
struct Expectation {
  Digest digest = Digest::kSha256;
  bool base64 = false;   // `value` is base64 (S3 checksum headers); else hex, any case
  std::string value;     // as declared
  std::string label;     // in a mismatch: "sha256", "x-amz-checksum-crc32", "ETag (MD5)"
  std::string evidence;  // in verified_by: "sha256 pin", "x-amz-checksum-crc32", "etag-md5"
  // Checked only when no other digest is expected (a single-part ETag's MD5 is the
  // evidence of last resort, not worth a second pass over the bytes).
  bool fallback = false;
};

// What the answer's headers declare beyond Content-Length.
using HeadReader = std::function<std::vector<Expectation>(const Response& head)>;

struct VerifiedBody {
  uint64_t bytes = 0;
  std::string sha256;       // hex; empty when neither a check nor record_sha256 needed it
  std::string verified_by;  // comma-separated evidence, in the order checked; may be empty
  // The answer's framing proved where the body ends: its Content-Length was received, or it
  // was chunked (libcurl fails a chunked body cut before its last chunk). False for a
  // close-delimited body, which looks whole wherever the connection was cut.
  bool end_framed = false;
};

class VerifyingSink : public BodySink {
 public:
  // max_bytes 0: no limit. forward null: the body is kept (TakeBody()). record_sha256: the
  // body's SHA-256 is wanted for the record even when no check needs it.
  VerifyingSink(uint64_t max_bytes, BodySink* forward, bool record_sha256);

  // REQUIRES: before the body streams. Kept across Reset().
  void Expect(Expectation expectation);
  void set_head_reader(HeadReader reader) { head_reader_ = std::move(reader); }

  // Reads Content-Length and the head reader's expectations; chooses the digests.
  // kLimitExceeded when the declared length is over the limit; kIntegrity for a 206.
  Status Begin(const Response& head) override;
  // kLimitExceeded (SizeLimitError) past max_bytes; kInternal before Begin(); the forward
  // sink's error (past the first MiB, possibly that of an earlier chunk).
  Status Write(std::string_view chunk) override;
  // Starts over (a retried transfer): forgets the head and the bytes, resets the forward sink.
  Status Reset() override;

  // REQUIRES: once, after the last Write. Waits until every byte is hashed and handed on.
  // `head` stands in for a Begin() that a body of zero bytes never saw. The forward sink's
  // error; kLengthMismatch (retryable) when the body is shorter or longer than declared;
  // kDigestMismatch on the first digest that differs.
  Result<VerifiedBody> Finish(const Response& head);

  uint64_t bytes() const { return bytes_; }
  // REQUIRES: after Finish().
  std::string TakeBody() { return std::move(body_); }

  // Bytes handled on the receiving thread before the pipeline takes over.
  static constexpr uint64_t kInlineBytes = uint64_t{1} << 20;
  // 1 MiB in flight per body: a plan fetches up to --max-parallel large objects at once,
  // and their blocks together must stay small (16 x 15 MiB plans under 64 MB).
  static constexpr size_t kPipelineBlockBytes = size_t{256} << 10;
  static constexpr size_t kPipelineBlocks = 4;

 private:
  Status Deliver(std::string_view piece);
  std::unique_ptr<ChunkPipeline> StartPipeline();

  const uint64_t max_bytes_;
  BodySink* const forward_;
  const bool record_sha256_;
  HeadReader head_reader_;
  std::vector<Expectation> caller_;  // pins
  std::vector<Expectation> checks_;  // chosen at Begin(): head's, then the caller's
  std::optional<uint64_t> declared_;
  bool chunked_ = false;
  bool begun_ = false;
  uint64_t bytes_ = 0;
  std::string body_;
  StreamHasher hasher_;
  std::unique_ptr<ChunkPipeline> pipeline_;  // last: its thread uses the members above
};

// "object exceeds the size limit of 64 MiB (67108864 bytes)": one wording for every route.
Error SizeLimitError(uint64_t max_bytes);

// The mismatch errors, worded once: "incomplete body: expected 100 bytes, received 10"
// (kLengthMismatch, retryable: a cut connection), "body longer than its Content-Length: …"
// (kLengthMismatch, not retryable) and "sha256 mismatch: expected …, got …" (kDigestMismatch).
Error LengthMismatch(uint64_t declared, uint64_t received);
Error DigestMismatch(std::string_view label, std::string_view expected, std::string_view got);

// A Content-Length value as a number, or nothing when absent or malformed.
std::optional<uint64_t> ParseContentLength(std::string_view text);

// Whether chunked is the answer's last transfer coding, which then frames its body
// (RFC 9112 6.3), Transfer-Encoding given once or in several headers.
bool IsChunked(const Headers& headers);

}  // namespace s3us::net

#endif  // S3US_NET_VERIFYING_SINK_H_

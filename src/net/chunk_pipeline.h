// ChunkPipeline: hands a byte stream to consumers that each run on a thread of their own, so
// that the thread receiving the bytes (libcurl's) never waits for hashing or disk writes and
// all of them overlap. Bytes are copied into blocks of `block_size`; at most `max_blocks`
// exist at a time, so memory stays bounded: the writer waits for a free block when a
// consumer falls behind. Every consumer sees every byte once, in order; a block is reused
// once all of them are done with it.
//
// Thread-compatible: Write and Drain are called by one thread at a time (the transfer's, then
// the caller's once the transfer ended). Each consumer runs only on its own thread.
#ifndef S3US_NET_CHUNK_PIPELINE_H_
#define S3US_NET_CHUNK_PIPELINE_H_

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

#include "core/error.h"

namespace s3us::net {

class ChunkPipeline {
 public:
  // Called with each block on the consumer's thread. The first error of any consumer ends
  // the stream: later blocks are dropped unseen and Write/Drain return that error.
  using Consumer = std::function<Status(std::string_view block)>;

  // REQUIRES: at least one consumer.
  explicit ChunkPipeline(std::vector<Consumer> consumers, size_t block_size = size_t{1} << 20,
                         size_t max_blocks = 4);
  // Drops the blocks not consumed yet (a failed or retried transfer) and joins the threads.
  ~ChunkPipeline();
  ChunkPipeline(const ChunkPipeline&) = delete;
  ChunkPipeline& operator=(const ChunkPipeline&) = delete;

  // Copies `chunk`, queueing each block it fills. Returns a consumer's error, if any.
  Status Write(std::string_view chunk);
  // Queues the partly filled block and waits until every consumer is done with every block
  // queued: none runs once it returns. Returns a consumer's error, if any.
  Status Drain();

 private:
  using Block = std::vector<char>;
  void Run(size_t consumer);
  Status QueueFilled();
  void Release();

  const std::vector<Consumer> consumers_;
  const size_t block_size_;
  const size_t max_blocks_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<Block> queued_;    // oldest first; a deque keeps references to its blocks valid
  uint64_t first_ = 0;          // sequence number of queued_.front()
  std::vector<uint64_t> next_;  // per consumer: the sequence number it consumes next
  std::vector<Block> free_;     // consumed by all, ready for reuse
  size_t blocks_ = 0;           // allocated so far, at most max_blocks_
  bool stop_ = false;
  std::optional<Error> error_;        // the first consumer error
  Block filling_;                     // the writer's; capacity 0 while it holds no block
  std::vector<std::thread> threads_;  // last: started once the members above exist
};

}  // namespace s3us::net

#endif  // S3US_NET_CHUNK_PIPELINE_H_

#include "net/chunk_pipeline.h"

#include <algorithm>
#include <new>

namespace s3us::net {

ChunkPipeline::ChunkPipeline(std::vector<Consumer> consumers, size_t block_size, size_t max_blocks)
    : consumers_(std::move(consumers)),
      block_size_(std::max<size_t>(block_size, 1)),
      max_blocks_(std::max<size_t>(max_blocks, 2)),
      next_(consumers_.size(), 0) {
  threads_.reserve(consumers_.size());
  for (size_t i = 0; i < consumers_.size(); ++i) threads_.emplace_back([this, i] { Run(i); });
}

ChunkPipeline::~ChunkPipeline() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  changed_.notify_all();
  for (std::thread& t : threads_) t.join();
}

Status ChunkPipeline::Write(std::string_view chunk) {
  while (!chunk.empty()) {
    if (filling_.capacity() == 0) {
      std::unique_lock<std::mutex> lock(mu_);
      // Waits only while max_blocks are queued or being consumed.
      changed_.wait(lock, [&] { return !free_.empty() || blocks_ < max_blocks_ || error_; });
      if (error_) return *error_;
      if (free_.empty()) {
        ++blocks_;
        lock.unlock();
        filling_.reserve(block_size_);
      } else {
        filling_ = std::move(free_.back());
        free_.pop_back();
      }
    }
    size_t n = std::min(block_size_ - filling_.size(), chunk.size());
    filling_.insert(filling_.end(), chunk.data(), chunk.data() + n);
    chunk.remove_prefix(n);
    if (filling_.size() == block_size_) {
      if (Status s = QueueFilled(); !s.ok()) return s;
    }
  }
  return Ok();
}

Status ChunkPipeline::QueueFilled() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (error_) return *error_;
    queued_.push_back(std::move(filling_));
  }
  filling_ = Block();
  changed_.notify_all();
  return Ok();
}

Status ChunkPipeline::Drain() {
  std::unique_lock<std::mutex> lock(mu_);
  if (!filling_.empty() && !error_) {
    queued_.push_back(std::move(filling_));
    filling_ = Block();
    changed_.notify_all();
  }
  // A block leaves the queue once every consumer is done with it (after an error, once
  // every consumer has passed it by): then no consumer runs any more.
  changed_.wait(lock, [&] { return queued_.empty(); });
  if (error_) return *error_;
  return Ok();
}

// Frees the blocks that every consumer is done with. REQUIRES: mu_ held.
void ChunkPipeline::Release() {
  uint64_t done = *std::min_element(next_.begin(), next_.end());
  for (; first_ < done; ++first_) {
    Block block = std::move(queued_.front());
    queued_.pop_front();
    block.clear();
    free_.push_back(std::move(block));
  }
}

void ChunkPipeline::Run(size_t consumer) {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    uint64_t& next = next_[consumer];
    changed_.wait(lock, [&] { return stop_ || next < first_ + queued_.size(); });
    if (stop_) return;
    const Block& block = queued_[next - first_];  // stays put until this consumer is done
    bool skip = error_.has_value();
    lock.unlock();
    Status s = Ok();
    try {
      if (!skip) s = consumers_[consumer](std::string_view(block.data(), block.size()));
    } catch (const std::bad_alloc&) {
      s = Error(ErrorCode::kInternal, "out of memory handling a body");
    }
    lock.lock();
    if (!s.ok() && !error_) error_ = std::move(s).error();
    ++next;
    Release();
    changed_.notify_all();
  }
}

}  // namespace s3us::net

// JobPool: runs jobs on up to N std::threads as they are submitted, and hands the id of
// each finished job back to the one thread that waits for them. Unlike ParallelFor (one
// batch, then join) it lets the caller submit more work while earlier jobs still run:
// the expander fetches an object's includes as soon as that object arrives.
// Thread-safety: Submit and WaitOne from one coordinating thread; jobs run on pool threads.
#ifndef S3US_EXPAND_JOB_POOL_H_
#define S3US_EXPAND_JOB_POOL_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace s3us::expand {

class JobPool {
 public:
  explicit JobPool(int max_threads);
  // Queued jobs that have not started are dropped; running ones are waited for.
  ~JobPool();
  JobPool(const JobPool&) = delete;
  JobPool& operator=(const JobPool&) = delete;

  // Queues job; returns its id (0, 1, 2, ... in submission order). REQUIRES: job does
  // not throw.
  size_t Submit(std::function<void()> job);
  // Blocks until a submitted job has finished that no earlier WaitOne returned; its id.
  // REQUIRES: such a job exists (submitted and not yet returned).
  size_t WaitOne();

 private:
  void Work();

  const size_t max_threads_;
  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  std::deque<std::pair<size_t, std::function<void()>>> queue_;
  std::deque<size_t> done_;
  size_t next_id_ = 0;
  size_t idle_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace s3us::expand

#endif  // S3US_EXPAND_JOB_POOL_H_

#include "expand/job_pool.h"

#include <algorithm>
#include <utility>

namespace s3us::expand {

JobPool::JobPool(int max_threads) : max_threads_(static_cast<size_t>(std::max(max_threads, 1))) {}

JobPool::~JobPool() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
    queue_.clear();
  }
  work_cv_.notify_all();
  for (std::thread& t : threads_) t.join();
}

size_t JobPool::Submit(std::function<void()> job) {
  std::lock_guard<std::mutex> l(mu_);
  size_t id = next_id_++;
  queue_.emplace_back(id, std::move(job));
  // Threads start on demand: a plan with three includes costs three threads, not max.
  if (idle_ < queue_.size() && threads_.size() < max_threads_) {
    threads_.emplace_back([this] { Work(); });
  } else {
    work_cv_.notify_one();
  }
  return id;
}

size_t JobPool::WaitOne() {
  std::unique_lock<std::mutex> l(mu_);
  done_cv_.wait(l, [&] { return !done_.empty(); });
  size_t id = done_.front();
  done_.pop_front();
  return id;
}

void JobPool::Work() {
  std::unique_lock<std::mutex> l(mu_);
  for (;;) {
    ++idle_;
    work_cv_.wait(l, [&] { return stopping_ || !queue_.empty(); });
    --idle_;
    if (stopping_) return;
    auto [id, job] = std::move(queue_.front());
    queue_.pop_front();
    l.unlock();
    job();
    l.lock();
    done_.push_back(id);
    done_cv_.notify_one();
  }
}

}  // namespace s3us::expand

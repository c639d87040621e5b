// ParallelFor: runs a batch of independent jobs on a small pool of std::threads.
// Results go wherever the job writes them (by index), so callers keep their own order no
// matter which job finishes first. Not a general scheduler: one batch, then join.
#ifndef S3US_CORE_PARALLEL_H_
#define S3US_CORE_PARALLEL_H_

#include <cstddef>
#include <functional>

namespace s3us {

// Calls job(i) once for every i in [0, count), on at most max_parallel threads at a time,
// and returns when all have returned. With one job or max_parallel <= 1 everything runs on
// the calling thread. REQUIRES: job is thread-safe and does not throw.
void ParallelFor(size_t count, int max_parallel, const std::function<void(size_t)>& job);

}  // namespace s3us

#endif  // S3US_CORE_PARALLEL_H_

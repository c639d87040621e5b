#include "core/parallel.h"

#include <catch2/catch.hpp>
#include <mutex>
#include <set>
#include <thread>

namespace s3us {
namespace {

TEST_CASE("ParallelFor runs every job once on at most max_parallel threads") {
  for (int max_parallel : {1, 3, 16}) {
    INFO(max_parallel);
    std::mutex mu;
    std::multiset<size_t> ran;
    std::set<std::thread::id> threads;
    ParallelFor(40, max_parallel, [&](size_t i) {
      std::lock_guard<std::mutex> l(mu);
      ran.insert(i);
      threads.insert(std::this_thread::get_id());
    });
    CHECK(ran.size() == 40);
    for (size_t i = 0; i < 40; ++i) CHECK(ran.count(i) == 1);
    CHECK(threads.size() <= static_cast<size_t>(max_parallel));
  }
  int calls = 0;
  ParallelFor(0, 4, [&](size_t) { ++calls; });
  CHECK(calls == 0);
}

}  // namespace
}  // namespace s3us

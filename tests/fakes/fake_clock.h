// FakeClock: time moves only when a test (or a SleepFor call) moves it. Thread-safe.
#ifndef S3US_TESTS_FAKES_FAKE_CLOCK_H_
#define S3US_TESTS_FAKES_FAKE_CLOCK_H_

#include <mutex>
#include <vector>

#include "core/clock.h"

namespace s3us::testing {

class FakeClock : public Clock {
 public:
  explicit FakeClock(
      WallTime start = WallTime(std::chrono::seconds(1440936960)))  // 2015-08-30T12:16:00Z
      : wall_(start) {}

  WallTime Now() override {
    std::lock_guard<std::mutex> l(mu_);
    return wall_;
  }
  MonoTime Monotonic() override {
    std::lock_guard<std::mutex> l(mu_);
    return mono_;
  }
  void SleepFor(Duration d) override {
    std::lock_guard<std::mutex> l(mu_);
    sleeps_.push_back(d);
    wall_ += d;
    mono_ += d;
  }
  void Advance(Duration d) {
    std::lock_guard<std::mutex> l(mu_);
    wall_ += d;
    mono_ += d;
  }
  void SetWall(WallTime t) {
    std::lock_guard<std::mutex> l(mu_);
    wall_ = t;
  }
  std::vector<Duration> sleeps() {
    std::lock_guard<std::mutex> l(mu_);
    return sleeps_;
  }

 private:
  std::mutex mu_;
  WallTime wall_;
  MonoTime mono_{};
  std::vector<Duration> sleeps_;
};

}  // namespace s3us::testing

#endif  // S3US_TESTS_FAKES_FAKE_CLOCK_H_

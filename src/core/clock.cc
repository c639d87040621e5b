#include "core/clock.h"

#include <thread>

namespace s3us {

void SystemClock::SleepFor(Duration duration) { std::this_thread::sleep_for(duration); }

SystemClock& SystemClock::Get() {
  static SystemClock clock;
  return clock;
}

Clock::Duration Deadline::Remaining(Clock& clock) const {
  if (!set_) return std::chrono::hours(24 * 365);
  auto now = clock.Monotonic();
  if (now >= at_) return Clock::Duration::zero();
  // Rounded up: time left is never reported as none (nor as libcurl's "no timeout", 0 ms)
  // while the deadline has not passed.
  return std::chrono::ceil<Clock::Duration>(at_ - now);
}

}  // namespace s3us

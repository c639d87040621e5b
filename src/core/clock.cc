#include "core/clock.h"

#include <cstdint>
#include <cstdio>
#include <ctime>
#include <thread>

#include "core/interrupt.h"

namespace s3us {

// An interrupt ends the sleep (a retry's back-off): the run is winding down.
void SystemClock::SleepFor(Duration duration) { SleepUnlessInterrupted(duration); }

SystemClock& SystemClock::Get() {
  static SystemClock clock;
  return clock;
}

Clock::Duration Deadline::Remaining(Clock& clock) const {
  if (stopped()) return Clock::Duration::zero();
  if (!set_) return std::chrono::hours(24 * 365);
  auto now = clock.Monotonic();
  if (now >= at_) return Clock::Duration::zero();
  // Rounded up: time left is never reported as none (nor as libcurl's "no timeout", 0 ms)
  // while the deadline has not passed.
  return std::chrono::ceil<Clock::Duration>(at_ - now);
}

UtcFields ToUtc(Clock::WallTime time) {
  int64_t ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return UtcFields{tm.tm_year + 1900,
                   tm.tm_mon + 1,
                   tm.tm_mday,
                   tm.tm_hour,
                   tm.tm_min,
                   tm.tm_sec,
                   static_cast<int>(ms - secs * 1000)};
}

std::string FormatCompactUtc(Clock::WallTime time) {
  UtcFields u = ToUtc(time);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02dZ", u.year, u.month, u.day, u.hour,
                u.minute, u.second);
  return buf;
}

}  // namespace s3us

// Clock: the seam for wall time, monotonic time and sleeping, so retries, deadlines and
// credential expiry are tested with a fake clock and no real sleeps.
#ifndef S3US_CORE_CLOCK_H_
#define S3US_CORE_CLOCK_H_

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

namespace s3us {

class Clock {
 public:
  using WallTime = std::chrono::system_clock::time_point;
  using MonoTime = std::chrono::steady_clock::time_point;
  using Duration = std::chrono::milliseconds;

  virtual ~Clock() = default;
  virtual WallTime Now() = 0;
  virtual MonoTime Monotonic() = 0;
  virtual void SleepFor(Duration duration) = 0;
};

// The real clock. Thread-safe.
class SystemClock : public Clock {
 public:
  WallTime Now() override { return std::chrono::system_clock::now(); }
  MonoTime Monotonic() override { return std::chrono::steady_clock::now(); }
  void SleepFor(Duration duration) override;
  // A shared instance for wiring.
  static SystemClock& Get();
};

// A point on the monotonic clock by which a whole operation must finish, which a shared
// flag may bring forward to now: two fetches that only succeed together (an object and its
// signature) end each other on the first failure, through the same checks every wait on a
// deadline already makes.
class Deadline {
 public:
  // Never expires.
  Deadline() = default;
  Deadline(Clock::MonoTime at) : at_(at), set_(true) {}
  static Deadline After(Clock& clock, Clock::Duration d) { return Deadline(clock.Monotonic() + d); }

  // The same deadline, passed as soon as `*stop` is true.
  Deadline StoppedBy(std::shared_ptr<const std::atomic<bool>> stop) const {
    Deadline d = *this;
    d.stop_ = std::move(stop);
    return d;
  }

  // The earlier of the two; an unset deadline never is. The stop flag of this one is kept,
  // else the other's.
  Deadline EarlierOf(const Deadline& other) const {
    Deadline d = !other.set_ ? *this : !set_ ? other : at_ <= other.at_ ? *this : other;
    d.stop_ = stop_ ? stop_ : other.stop_;
    return d;
  }

  // Set, or stoppable: waits on it must watch it.
  bool is_set() const { return set_ || stop_ != nullptr; }
  bool stoppable() const { return stop_ != nullptr; }
  bool stopped() const { return stop_ != nullptr && stop_->load(); }
  bool Expired(Clock& clock) const { return stopped() || (set_ && clock.Monotonic() >= at_); }
  // Time left (zero when expired; a large value when unset).
  Clock::Duration Remaining(Clock& clock) const;

 private:
  Clock::MonoTime at_{};
  bool set_ = false;
  std::shared_ptr<const std::atomic<bool>> stop_;
};

// UTC calendar fields of a wall time (seconds floored) and its milliseconds.
struct UtcFields {
  int year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, millis = 0;
};
UtcFields ToUtc(Clock::WallTime time);

// "20261206T041500Z": SigV4's x-amz-date, and our log and report stamps.
std::string FormatCompactUtc(Clock::WallTime time);

}  // namespace s3us

#endif  // S3US_CORE_CLOCK_H_

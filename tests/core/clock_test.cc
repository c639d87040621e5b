#include "core/clock.h"

#include <catch2/catch.hpp>

namespace s3us {
namespace {

Clock::WallTime At(int64_t millis) { return Clock::WallTime(std::chrono::milliseconds(millis)); }

TEST_CASE("ToUtc gives the calendar fields and milliseconds of a wall time") {
  UtcFields u = ToUtc(At(1440937360123));  // 2015-08-30T12:22:40.123Z
  CHECK((u.year == 2015 && u.month == 8 && u.day == 30) == true);
  CHECK((u.hour == 12 && u.minute == 22 && u.second == 40 && u.millis == 123) == true);
}

TEST_CASE("ToUtc floors before the epoch: a negative time keeps positive milliseconds") {
  UtcFields u = ToUtc(At(-1));  // 1969-12-31T23:59:59.999Z
  CHECK((u.year == 1969 && u.month == 12 && u.day == 31) == true);
  CHECK((u.hour == 23 && u.minute == 59 && u.second == 59 && u.millis == 999) == true);
}

TEST_CASE("FormatCompactUtc is the SigV4 x-amz-date form") {
  CHECK(FormatCompactUtc(At(1440937360123)) == "20150830T122240Z");
  CHECK(FormatCompactUtc(At(0)) == "19700101T000000Z");
}

}  // namespace
}  // namespace s3us

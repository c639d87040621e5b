#include "aws/aws_time.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "core/strings.h"

namespace s3us::aws {
namespace {

// Reads exactly `n` digits at `pos`; -1 when they are not all digits.
int Digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

constexpr int kLastYear = 2200;

std::optional<Clock::WallTime> FromFields(int year, int month, int day, int hour, int minute,
                                          int second) {
  // WallTime counts nanoseconds in 64 bits, which ends in 2262: a later year from a server
  // (a skewed ServerTime, an Expiration) would overflow it.
  if (year < 1970 || year > kLastYear || month < 1 || month > 12 || day < 1 || day > 31 ||
      hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  std::time_t t = timegm(&tm);
  if (t == static_cast<std::time_t>(-1)) return std::nullopt;
  return std::chrono::system_clock::from_time_t(t);
}

// The extended form as written: "YYYY-MM-DDTHH:MM:SS[.f…](Z|±HH:MM)", T and Z in any case.
// Ranges are the callers' to check.
struct IsoFields {
  int year, month, day, hour, minute, second;
  int fraction_digits = -1;  // -1: no '.'
  std::chrono::milliseconds fraction{0};
  std::chrono::seconds offset{0};
};

std::optional<IsoFields> ReadExtended(std::string_view text) {
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't') || text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  IsoFields f{Digits(text, 0, 4),  Digits(text, 5, 2),  Digits(text, 8, 2),
              Digits(text, 11, 2), Digits(text, 14, 2), Digits(text, 17, 2)};
  if (std::min({f.year, f.month, f.day, f.hour, f.minute, f.second}) < 0) return std::nullopt;
  size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    f.fraction_digits = 0;
    int scale = 100;
    for (++pos; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos) {
      f.fraction += std::chrono::milliseconds((text[pos] - '0') * scale);
      scale /= 10;
      ++f.fraction_digits;
    }
  }
  std::string_view zone = text.substr(pos);
  if (zone == "Z" || zone == "z") return f;
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':') {
    return std::nullopt;
  }
  int hours = Digits(zone, 1, 2);
  int minutes = Digits(zone, 4, 2);
  if (hours < 0 || minutes < 0 || hours > 23 || minutes > 59) return std::nullopt;
  f.offset = std::chrono::hours(hours) + std::chrono::minutes(minutes);
  if (zone[0] == '-') f.offset = -f.offset;
  return f;
}

}  // namespace

std::string FormatAmzDate(Clock::WallTime time) { return FormatCompactUtc(time); }

std::string FormatIso8601(Clock::WallTime time) {
  UtcFields u = ToUtc(time);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", u.year, u.month, u.day, u.hour,
                u.minute, u.second);
  return buf;
}

std::optional<Clock::WallTime> ParseIso8601(std::string_view text) {
  text = Trim(text);
  if (text.size() == 16 && text[8] == 'T' && text[15] == 'Z') {
    return FromFields(Digits(text, 0, 4), Digits(text, 4, 2), Digits(text, 6, 2),
                      Digits(text, 9, 2), Digits(text, 11, 2), Digits(text, 13, 2));
  }
  std::optional<IsoFields> f = ReadExtended(text);
  if (!f || f->offset.count() != 0) return std::nullopt;
  return FromFields(f->year, f->month, f->day, f->hour, f->minute, f->second);
}

Result<Clock::WallTime> ParseAwsTimestamp(std::string_view text) {
  using namespace std::chrono;
  std::optional<IsoFields> f = ReadExtended(text);
  year_month_day date;
  if (f) {
    date = year_month_day{year(f->year), month(static_cast<unsigned>(f->month)),
                          day(static_cast<unsigned>(f->day))};
  }
  if (!f || f->fraction_digits == 0 || !date.ok() || f->hour > 23 || f->minute > 59 ||
      f->second > 60) {
    return Error(ErrorCode::kInvalidInput,
                 "invalid timestamp '" + std::string(text) + "': expected YYYY-MM-DDTHH:MM:SSZ");
  }
  sys_seconds t =
      sys_days(date) + hours(f->hour) + minutes(f->minute) + seconds(f->second) - f->offset;
  // WallTime counts nanoseconds from 1970 and spans 1678..2262: clamp (a far-future
  // Expiration means never, a distant past one means expired) instead of overflowing.
  constexpr sys_seconds kEarliest = sys_days(1970y / January / 1);
  constexpr sys_seconds kLatest = sys_days(2200y / January / 1);
  t = std::clamp(t, kEarliest, kLatest);
  return time_point_cast<Clock::WallTime::duration>(t + f->fraction);
}

Clock::WallTime FromUnixMillis(int64_t millis) {
  using namespace std::chrono;
  constexpr int64_t kLatest =
      duration_cast<milliseconds>(sys_days(2200y / January / 1).time_since_epoch()).count();
  return Clock::WallTime(milliseconds(std::clamp<int64_t>(millis, 0, kLatest)));
}

std::optional<Clock::WallTime> ParseHttpDate(std::string_view text) {
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  text = Trim(text);
  // "Sun, 06 Nov 1994 08:49:37 GMT"
  if (text.size() != 29 || text[3] != ',' || text.substr(26) != "GMT") return std::nullopt;
  int month = 0;
  for (int i = 0; i < 12; ++i) {
    if (text.substr(8, 3) == kMonths[i]) month = i + 1;
  }
  if (month == 0 || text[19] != ':' || text[22] != ':') return std::nullopt;
  return FromFields(Digits(text, 12, 4), month, Digits(text, 5, 2), Digits(text, 17, 2),
                    Digits(text, 20, 2), Digits(text, 23, 2));
}

}  // namespace s3us::aws

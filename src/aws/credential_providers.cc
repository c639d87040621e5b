#include "aws/credential_providers.h"

#include <algorithm>
#include <charconv>
#include <chrono>

namespace s3us::aws {
namespace {

bool ReadInt(std::string_view s, size_t pos, size_t len, int& out) {
  if (pos + len > s.size()) return false;
  for (size_t i = pos; i < pos + len; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  std::from_chars(s.data() + pos, s.data() + pos + len, out);
  return true;
}

}  // namespace

Result<Clock::WallTime> ParseAwsTimestamp(std::string_view text) {
  using namespace std::chrono;
  auto bad = [&] {
    return Error(ErrorCode::kInvalidInput,
                 "invalid timestamp '" + std::string(text) + "': expected YYYY-MM-DDTHH:MM:SSZ");
  };
  int y, mo, d, h, mi, s;
  if (!ReadInt(text, 0, 4, y) || text.size() < 20 || text[4] != '-' || !ReadInt(text, 5, 2, mo) ||
      text[7] != '-' || !ReadInt(text, 8, 2, d) || (text[10] != 'T' && text[10] != 't') ||
      !ReadInt(text, 11, 2, h) || text[13] != ':' || !ReadInt(text, 14, 2, mi) || text[16] != ':' ||
      !ReadInt(text, 17, 2, s)) {
    return bad();
  }
  year_month_day date{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
  if (!date.ok() || h > 23 || mi > 59 || s > 60) return bad();
  size_t pos = 19;
  milliseconds frac{0};
  if (pos < text.size() && text[pos] == '.') {
    size_t start = ++pos;
    int scale = 100;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      frac += milliseconds((text[pos] - '0') * scale);
      scale /= 10;
      ++pos;
    }
    if (pos == start) return bad();
  }
  seconds offset{0};
  std::string_view zone = text.substr(pos);
  if (zone == "Z" || zone == "z") {
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    int oh, om;
    if (!ReadInt(zone, 1, 2, oh) || !ReadInt(zone, 4, 2, om) || oh > 23 || om > 59) return bad();
    offset = hours(oh) + minutes(om);
    if (zone[0] == '-') offset = -offset;
  } else {
    return bad();
  }
  sys_seconds t = sys_days(date) + hours(h) + minutes(mi) + seconds(s) - offset;
  // WallTime counts nanoseconds from 1970 and spans 1678..2262: clamp (a far-future
  // Expiration means never, a distant past one means expired) instead of overflowing.
  constexpr sys_seconds kEarliest = sys_days(1970y / January / 1);
  constexpr sys_seconds kLatest = sys_days(2200y / January / 1);
  t = std::clamp(t, kEarliest, kLatest);
  return time_point_cast<Clock::WallTime::duration>(t + frac);
}

Result<Credentials> EnvironmentCredentialProvider::Get(bool) {
  std::optional<std::string> id = env_.GetNonBlank("AWS_ACCESS_KEY_ID");
  std::optional<std::string> secret = env_.GetNonBlank("AWS_SECRET_ACCESS_KEY");
  if (!id && !secret) {
    return Error(ErrorCode::kNoCredentials, "AWS_ACCESS_KEY_ID is not set");
  }
  if (!id || !secret) {
    return Error(ErrorCode::kInvalidInput,
                 std::string(id ? "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"
                                : "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not"));
  }
  Credentials c;
  c.access_key_id = std::move(*id);
  c.secret_access_key = Secret(std::move(*secret));
  std::optional<std::string> token = env_.GetNonBlank("AWS_SESSION_TOKEN");
  if (!token) token = env_.GetNonBlank("AWS_SECURITY_TOKEN");
  if (token) c.session_token = Secret(std::move(*token));
  if (std::optional<std::string> exp = env_.GetNonBlank("AWS_CREDENTIAL_EXPIRATION")) {
    Result<Clock::WallTime> t = ParseAwsTimestamp(*exp);
    if (!t.ok()) return std::move(t).error().WithContext("AWS_CREDENTIAL_EXPIRATION");
    c.expiration = *t;
  }
  c.provider = "environment";
  return c;
}

}  // namespace s3us::aws

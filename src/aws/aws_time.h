// Time formats AWS uses on the wire, read by one ISO 8601 reader: SigV4's basic ISO 8601
// ("20150830T123600Z"), the extended ISO 8601 of IMDS credentials and S3 error bodies
// ("2017-05-17T15:09:54Z"), and the RFC 1123 HTTP Date header ("Tue, 21 Sep 2021 18:32:37 GMT").
// All UTC. Pure.
#ifndef S3US_AWS_AWS_TIME_H_
#define S3US_AWS_AWS_TIME_H_

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/error.h"

namespace s3us::aws {

// "20150830T123600Z" (whole seconds, truncated).
std::string FormatAmzDate(Clock::WallTime time);
// "2015-08-30T12:36:00Z".
std::string FormatIso8601(Clock::WallTime time);

// Accepts "2015-08-30T12:36:00Z", fractional seconds ("…:00.123Z"), a "+00:00" offset and
// the basic form "20150830T123600Z". nullopt for anything else.
std::optional<Clock::WallTime> ParseIso8601(std::string_view text);

// "2021-09-21T04:16:53Z", with optional fractional seconds (kept to the millisecond) and a
// "+hh:mm"/"-hh:mm" offset instead of "Z" (the form of credential Expirations). Years
// WallTime cannot hold are clamped to 1970…2200. kInvalidInput otherwise.
Result<Clock::WallTime> ParseAwsTimestamp(std::string_view text);

// Milliseconds since 1970 (an SSO expiration), clamped to 1970…2200 as ParseAwsTimestamp
// clamps: past 2262 the nanosecond WallTime would overflow into the past.
Clock::WallTime FromUnixMillis(int64_t millis);

// RFC 1123 ("Sun, 06 Nov 1994 08:49:37 GMT"); nullopt when malformed.
std::optional<Clock::WallTime> ParseHttpDate(std::string_view text);

}  // namespace s3us::aws

#endif  // S3US_AWS_AWS_TIME_H_

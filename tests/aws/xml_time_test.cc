#include <catch2/catch.hpp>

#include "aws/aws_time.h"
#include "aws/xml.h"

namespace s3us::aws {
namespace {

TEST_CASE("XmlElement decodes entities and tolerates junk") {
  CHECK(XmlElement("<a><M>x &amp; y &lt;z&gt;</M></a>", "M") == "x & y <z>");
  CHECK(XmlElement("<M>unterminated", "M").empty());
  CHECK(XmlElement("not xml at all", "Code").empty());
}

TEST_CASE("AWS time formats round-trip") {
  auto t = ParseIso8601("2015-08-30T12:36:00Z");
  REQUIRE(t.has_value());
  CHECK(FormatAmzDate(*t) == "20150830T123600Z");
  CHECK(FormatIso8601(*t) == "2015-08-30T12:36:00Z");
  CHECK(ParseIso8601("20150830T123600Z") == t);
  CHECK(ParseIso8601("2015-08-30T12:36:00.123Z") == t);
  CHECK(ParseIso8601("2015-08-30T12:36:00+00:00") == t);
  CHECK_FALSE(ParseIso8601("2015-08-30 12:36").has_value());
  CHECK(ParseHttpDate("Sun, 30 Aug 2015 12:36:00 GMT") == t);
  CHECK_FALSE(ParseHttpDate("Sunday, 30-Aug-15 12:36:00 GMT").has_value());
  // Past 2262 nanoseconds since 1970 overflow 64 bits (found by fuzz/aws_fuzzer under UBSan):
  // a server's far-future time is no time, not undefined behaviour.
  CHECK(ParseIso8601("2200-12-31T23:59:59Z").has_value());
  CHECK_FALSE(ParseIso8601("6015-08-30T13:36:00Z").has_value());
  CHECK_FALSE(ParseIso8601("99991231T235959Z").has_value());
  CHECK_FALSE(ParseHttpDate("Sun, 30 Aug 9999 12:36:00 GMT").has_value());
  // An SSO portal's expiration in milliseconds: 9999-12-31 is clamped to 2200, not wrapped.
  CHECK(FromUnixMillis(253402300799000) == *ParseIso8601("2200-01-01T00:00:00Z"));
  CHECK(FromUnixMillis(1440938160000) == t);
  CHECK(FromUnixMillis(-5) == Clock::WallTime{});
}

}  // namespace
}  // namespace s3us::aws

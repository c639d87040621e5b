#include "core/strings.h"

#include <catch2/catch.hpp>

#include "core/clock.h"
#include "fakes/fake_clock.h"

namespace s3us {
namespace {

TEST_CASE("PercentDecode keeps malformed escapes and '+'; the strict one refuses them") {
  CHECK(PercentDecode("%C3%bc%2") == "\xC3\xBC%2");
  CHECK(PercentDecode("a+b%zz") == "a+b%zz");
  CHECK(PercentDecodeStrict("a%2Fb+c") == std::optional<std::string>("a/b+c"));
  CHECK_FALSE(PercentDecodeStrict("a%2"));
  CHECK_FALSE(PercentDecodeStrict("%zz"));
  CHECK(HexDigitValue('F') == 15);
  CHECK(HexDigitValue('g') == -1);
}

TEST_CASE("string helpers") {
  CHECK(ToLower("MIME-Version") == "mime-version");
  CHECK(IEquals("Content-Type", "content-TYPE"));
  CHECK(IStartsWith("#Cloud-Config\n", "#cloud-config"));
  CHECK_FALSE(IStartsWith("#!", "#!/bin"));
  CHECK(Trim(" \t x y \r\n") == "x y");
  CHECK(Trim("   ").empty());
  CHECK(Split("a,,b", ',') == std::vector<std::string_view>{"a", "", "b"});
  CHECK(SplitLines("a\r\nb\n\nc") == std::vector<std::string_view>{"a", "b", "", "c"});
  CHECK(SplitLines("a\n") == std::vector<std::string_view>{"a"});
  CHECK(CountOf(1, "more problem") == "1 more problem");
  CHECK(CountOf(0, "part") == "0 parts");
  CHECK(CountOf(12, "part") == "12 parts");
  CHECK(HumanBytes(512) == "512 B");
  CHECK(HumanBytes(1536) == "1.5 KiB");
  CHECK(IsAllDigits("20261206"));
  CHECK_FALSE(IsAllDigits(""));
  CHECK_FALSE(IsAllDigits("12a"));
  CHECK_FALSE(IsAllDigits("-1"));
}

TEST_CASE("Printable escapes control bytes and bounds what a message quotes") {
  using namespace std::string_literals;
  CHECK(Printable("s3://b/a\0b\x07\x1b[31m\r\n\x7f.sh"s) ==
        R"(s3://b/a\x00b\x07\x1b[31m\x0d\x0a\x7f.sh)");
  CHECK(Printable("caf\xc3\xa9 \\ ok") == "caf\xc3\xa9 \\ ok");
  // Direction controls would show a name other than it is: RLO (U+202E), FSI (U+2068).
  CHECK(Printable("a\xe2\x80\xae"
                  "gpj.sh b\xe2\x81\xa8"
                  "c \xe2\x80\x99") == "a\\u202egpj.sh b\\u2068c \xe2\x80\x99");
  CHECK(Printable(std::string(4 << 20, 'k')) == std::string(kMaxQuoted, 'k') + "...");
  CHECK(Printable(std::string(300, '\0')) == [] {
    std::string nuls;
    for (size_t i = 0; i < kMaxQuoted / 4; ++i) nuls += "\\x00";
    return nuls + "...";
  }());
  // A cut never splits a UTF-8 sequence: "é" is two bytes, the cut falls between them.
  CHECK(Printable("ab\xc3\xa9", 3) == "ab...");
  CHECK(Printable("abc", 3) == "abc");
}

TEST_CASE("Deadline expires on the fake clock without sleeping") {
  testing::FakeClock clock;
  Deadline none;
  CHECK_FALSE(none.Expired(clock));
  Deadline d = Deadline::After(clock, std::chrono::seconds(2));
  CHECK(d.Remaining(clock) == std::chrono::seconds(2));
  clock.Advance(std::chrono::milliseconds(2500));
  CHECK(d.Expired(clock));
  CHECK(d.Remaining(clock) == Clock::Duration::zero());
}

}  // namespace
}  // namespace s3us

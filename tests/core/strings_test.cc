#include "core/strings.h"

#include <catch2/catch.hpp>

#include "core/clock.h"
#include "fakes/fake_clock.h"

namespace s3us {
namespace {

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
  CHECK(HumanBytes(512) == "512 B");
  CHECK(HumanBytes(1536) == "1.5 KiB");
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

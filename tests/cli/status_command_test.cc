#include "cli/status_command.h"

#include <csignal>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <thread>

#include "cli/run_lock.h"
#include "core/interrupt.h"
#include "tests/fakes/interrupt_when.h"
#include "tests/fakes/temp_dir.h"

namespace s3us::cli {
namespace {

using nlohmann::json;

// Whether some process waits for a lock (a "->" line of /proc/locks).
bool SomeoneWaitsForALock() {
  std::ifstream locks("/proc/locks");
  std::string line;
  while (std::getline(locks, line)) {
    if (line.find("->") != std::string::npos) return true;
  }
  return false;
}

TEST_CASE("status --wait waits for the run lock and ends at once at an interrupt") {
  // status took no interrupts: under --json, SIGINT or SIGTERM left stdout empty.
  testing::TempDir t;
  const std::string dir = t / "state";
  std::optional<RunLock> lock(RunLock::Acquire(dir, "2015-08-30T12:16:00.000Z").value());
  CHECK(RunInProgress(dir, false) ==
        json{{"pid", static_cast<int>(getpid())}, {"started_at", "2015-08-30T12:16:00.000Z"}});

  // The wait ends when the run does.
  std::thread run_ends([&] {
    REQUIRE(testing::Eventually(SomeoneWaitsForALock));
    lock.reset();
  });
  CHECK(RunInProgress(dir, true) == std::nullopt);
  run_ends.join();
  CHECK(InterruptSignal() == 0);

  // ... or at an interrupt, the run still going (a guard ends the run after 20 s).
  lock.emplace(RunLock::Acquire(dir, "2015-08-30T12:16:00.000Z").value());
  const auto start = std::chrono::steady_clock::now();
  std::thread interrupt([] {
    REQUIRE(testing::Eventually(SomeoneWaitsForALock));
    DeliverInterrupt(SIGTERM);
  });
  std::atomic<bool> waited{false};
  std::thread guard([&] {
    for (int i = 0; i < 2000 && !waited; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    lock.reset();
  });
  CHECK(RunInProgress(dir, true) == std::nullopt);
  CHECK(InterruptSignal() == SIGTERM);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
  waited = true;
  interrupt.join();
  guard.join();
  ResetInterruptForTesting();
}

TEST_CASE("status --long escapes control bytes from the report as error lines do") {
  // report.json holds the content type and filename the user data gave: --long printed their
  // escape sequences to the terminal raw.
  json part{{"index", 1},
            {"run_order", 1},
            {"outcome", "skipped"},
            {"message", "unhandled content type"},
            {"content_type", "text/x-\x1b[31mevil"},
            {"handler", "unhandled"},
            {"frequency", "always"},
            {"size", 5},
            {"sha256", "ab"},
            {"source", {{"url", "s3://b/\x1b[2J"}, {"verified_by", "etag"}}},
            {"warnings", json::array({"odd\nline"})}};
  std::string text = RenderPartsLong(json{{"parts", json::array({part})}});
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK(text ==
        "part 1 (run 1): skipped: unhandled content type\n"
        "  text/x-\\x1b[31mevil, handler unhandled, always, 5 bytes, sha256 ab\n"
        "  from s3://b/\\x1b[2J (verified by etag)\n"
        "  warning: odd\\x0aline\n");
}

}  // namespace
}  // namespace s3us::cli

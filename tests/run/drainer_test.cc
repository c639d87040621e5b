#include "run/drainer.h"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "fakes/interrupt_when.h"
#include "tests/run/run_test_util.h"

namespace s3us::run {
namespace {

using testing::Slurp;
using testing::TempDir;

// Its write end does not block: a test fails instead of hanging when nobody reads.
struct Pipe {
  int read = -1, write = -1;
  Pipe() {
    int fds[2];
    REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
    read = fds[0];
    write = fds[1];
    REQUIRE(fcntl(write, F_SETFL, O_NONBLOCK) == 0);
  }
};

// Writes all of `data` while someone reads; false when it stops getting through.
bool WriteThrough(int fd, std::string_view data) {
  return testing::Eventually([&] {
    ssize_t n = write(fd, data.data(), data.size());
    if (n > 0) data.remove_prefix(static_cast<size_t>(n));
    return data.empty();
  });
}

TEST_CASE("A drainer logs what fits the room left, reads on past it and ends at EOF") {
  TempDir t;
  const std::string log_path = t / "log";
  int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  REQUIRE(log >= 0);
  Pipe out, err;
  int streams[2] = {out.read, err.read};
  REQUIRE(HandOffToDrainer(streams, log, 10));
  close(log);
  CHECK(streams[0] == -1);
  CHECK(streams[1] == -1);

  REQUIRE(WriteThrough(out.write, "0123456"));
  CHECK(testing::Eventually([&] { return Slurp(log_path) == "0123456"; }));
  // Four times what a pipe holds: it gets through only while the drainer reads.
  REQUIRE(WriteThrough(err.write, "789" + std::string(256 << 10, 'x')));
  close(out.write);
  close(err.write);
  CHECK(testing::Eventually([&] { return testing::ProcessesHolding(log_path).empty(); }));
  CHECK(Slurp(log_path) ==
        "0123456789\n==== background output past the part's log limit: read, not logged\n");
}

TEST_CASE("A drainer without a log still reads until the writers are gone") {
  Pipe out;
  int streams[2] = {out.read, -1};
  REQUIRE(HandOffToDrainer(streams, -1, kUnlimitedLog));
  REQUIRE(WriteThrough(out.write, std::string(256 << 10, 'x')));
  close(out.write);
}

}  // namespace
}  // namespace s3us::run

#include "core/error.h"

#include <catch2/catch.hpp>
#include <memory>

namespace s3us {
namespace {

Result<int> Half(int v) {
  if (v % 2) return Error(ErrorCode::kInvalidInput, "odd value " + std::to_string(v));
  return v / 2;
}

TEST_CASE("Error chains context outermost first") {
  Error e(ErrorCode::kNotFound, "NoSuchKey: the specified key does not exist");
  e.WithContext("fetching s3://b/k").WithContext("part 2 of 4");
  CHECK(e.ToString() ==
        "part 2 of 4: fetching s3://b/k: NoSuchKey: the specified key does not exist");
  CHECK(e.message() == "NoSuchKey: the specified key does not exist");
  CHECK(e.code() == ErrorCode::kNotFound);
}

TEST_CASE("Error carries http status, aws code and retryability") {
  Error e = Error(ErrorCode::kThrottled, "slow down")
                .set_http_status(503)
                .set_aws_code("SlowDown")
                .set_retryable(true);
  CHECK(e.http_status() == 503);
  CHECK(e.aws_code() == "SlowDown");
  CHECK(e.retryable());
  CHECK(ErrorCodeName(e.code()) == "throttled");
}

TEST_CASE("Result holds a value or an error") {
  auto ok = Half(4);
  REQUIRE(ok.ok());
  CHECK(*ok == 2);
  auto bad = Half(3);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code() == ErrorCode::kInvalidInput);
  CHECK(bad.value_or(-1) == -1);
}

TEST_CASE("Result moves move-only values out") {
  Result<std::unique_ptr<int>> r(std::make_unique<int>(7));
  std::unique_ptr<int> p = std::move(r).value();
  CHECK(*p == 7);
}

TEST_CASE("Status is ok by default and carries an error otherwise") {
  Status s;
  CHECK(s.ok());
  Status bad = Error(ErrorCode::kIo, "disk full");
  CHECK_FALSE(bad.ok());
  CHECK(bad.error().ToString() == "disk full");
}

}  // namespace
}  // namespace s3us

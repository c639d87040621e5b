#include "fetch/verify.h"

#include <catch2/catch.hpp>

#include "fakes/recording_sink.h"

#include "core/crypto.h"

namespace s3us::fetch {
namespace {

using Collect = testing::RecordingSink;

TEST_CASE("VerifyingSink counts and hashes only what follows the last Reset") {
  VerifyingSink sink(0, nullptr);
  REQUIRE(sink.Write("partial attempt").ok());
  REQUIRE(sink.Reset().ok());
  REQUIRE(sink.Write("hello ").ok());
  REQUIRE(sink.Write("world").ok());
  CHECK(sink.bytes() == 11);
  CHECK(sink.FinishSha256() == Sha256Hex("hello world"));
  CHECK(sink.TakeBody() == "hello world");
}

TEST_CASE("VerifyingSink forwards to the caller's sink and keeps nothing itself") {
  Collect target;
  VerifyingSink sink(0, &target);
  REQUIRE(sink.Write("abc").ok());
  REQUIRE(sink.Reset().ok());
  REQUIRE(sink.Write("def").ok());
  CHECK(target.data == "def");
  CHECK(sink.TakeBody().empty());
}

TEST_CASE("VerifyingSink aborts the transfer at the size limit") {
  VerifyingSink sink(5, nullptr);
  REQUIRE(sink.Write("12345").ok());
  Status over = sink.Write("6");
  REQUIRE_FALSE(over.ok());
  CHECK(over.error().code() == ErrorCode::kLimitExceeded);
  CHECK(over.error().message() == SizeLimitError(5).message());
}

TEST_CASE("VerifyBody lists what it checked and merges the client's checks") {
  ReceivedBody body{.bytes = 3,
                    .sha256 = Sha256Hex("abc"),
                    .declared_size = 3,
                    .upstream_verified_by = "content-length, x-amz-checksum-sha256"};
  FetchOptions options;
  options.expected_sha256 = Sha256Hex("abc");
  Result<std::string> checks = VerifyBody(body, options);
  REQUIRE(checks.ok());
  CHECK(*checks == "content-length, x-amz-checksum-sha256, sha256 pin");

  ReceivedBody undeclared;
  undeclared.bytes = 3;
  undeclared.sha256 = Sha256Hex("abc");
  Result<std::string> none = VerifyBody(undeclared, {});
  REQUIRE_FALSE(none.ok());
  CHECK(none.error().code() == ErrorCode::kIntegrity);
  CHECK(none.error().message().starts_with("no evidence the body is complete"));
  FetchOptions pinned;
  pinned.expected_sha256 = Sha256Hex("abc");
  Result<std::string> pin = VerifyBody(undeclared, pinned);
  REQUIRE(pin.ok());
  CHECK(*pin == "sha256 pin");
}

TEST_CASE("VerifyBody fails long and short bodies alike") {
  for (uint64_t declared : {2u, 4u}) {
    ReceivedBody body;
    body.bytes = 3;
    body.sha256 = Sha256Hex("abc");
    body.declared_size = declared;
    Result<std::string> checks = VerifyBody(body, {});
    REQUIRE_FALSE(checks.ok());
    CHECK(checks.error().code() == ErrorCode::kIntegrity);
  }
}

TEST_CASE("NormalizeSha256Pin lower-cases valid pins and rejects the rest") {
  std::string upper(64, 'A');
  Result<std::string> ok = NormalizeSha256Pin(upper);
  REQUIRE(ok.ok());
  CHECK(*ok == std::string(64, 'a'));
  for (const std::string& bad :
       {std::string(63, 'a'), std::string(65, 'a'), std::string(63, 'a') + "g", std::string()}) {
    Result<std::string> r = NormalizeSha256Pin(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code() == ErrorCode::kInvalidInput);
  }
}

}  // namespace
}  // namespace s3us::fetch

#include "cli/get_command.h"

#include <catch2/catch.hpp>

namespace s3us::cli {
namespace {

TEST_CASE("get names files after the last segment of the key") {
  CHECK(DestinationName("s3://b/dir/setup.sh") == "setup.sh");
  CHECK(DestinationName("https://b.s3.amazonaws.com/a/b.tar.gz?versionId=x") == "b.tar.gz");
  CHECK(DestinationName("arn:aws:s3:::b/k/v.bin") == "v.bin");
  CHECK(DestinationName("s3://b/dir/") == "");
  CHECK(DestinationName("s3://b/..") == "");
  CHECK(DestinationName("s3://b/a\x01z") == "a_z");
}

}  // namespace
}  // namespace s3us::cli

#include "userdata/key_spelling.h"

#include <catch2/catch.hpp>
#include <string>

namespace s3us::userdata {
namespace {

TEST_CASE("MayNameKey finds a key spelled with double-quoted escapes") {
  CHECK(MayNameKey("launch-index: 1", "launch-index"));
  CHECK(MayNameKey("\"launch\\x2dindex\": 1", "launch-index"));
  CHECK(MayNameKey("\"launch\\u002Dindex\": 1", "launch-index"));
  CHECK(MayNameKey("\"\\U0000006caunch-index\": 1", "launch-index"));
  CHECK(MayNameKey("\"launch-\\\n   \tindex\": 1", "launch-index"));
  CHECK(MayNameKey("\"launch-\\\r\nindex\": 1", "launch-index"));
  CHECK_FALSE(MayNameKey("\"launch\\\\x2dindex\": 1", "launch-index"));   // a backslash, then x2d
  CHECK_FALSE(MayNameKey("\"launch-\\\n\n index\": 1", "launch-index"));  // a kept line break
  CHECK_FALSE(MayNameKey("\"launch\\x2Gindex\": 1", "launch-index"));
  CHECK_FALSE(MayNameKey("launch_index: 1", "launch-index"));
}

}  // namespace
}  // namespace s3us::userdata

#include "handlers/script_text.h"

#include <catch2/catch.hpp>

namespace s3us::handlers {
namespace {

TEST_CASE("Dos2Unix converts only when the first line ends in CRLF, as cloud-init") {
  CHECK(Dos2Unix("#!/bin/sh\r\necho a\r\necho b\r\n") == "#!/bin/sh\necho a\necho b\n");
  CHECK(Dos2Unix("#!/bin/sh\necho a\r\n") == "#!/bin/sh\necho a\r\n");
  CHECK(Dos2Unix("no newline\r") == "no newline\r");
  CHECK(Dos2Unix("\nx\r\n") == "\nx\r\n");
  CHECK(Dos2Unix("a\r\nb\rc\r\n") == "a\nb\rc\n");
  CHECK(Dos2Unix("") == "");
}

TEST_CASE("BoothookScript strips the #cloud-boothook line as cloud-init does") {
  CHECK(BoothookScript("#cloud-boothook\n#!/bin/sh\necho hi\n") == "#!/bin/sh\necho hi\n");
  CHECK(BoothookScript("#cloud-boothook\r\n#!/bin/sh\r\necho hi\r\n") == "#!/bin/sh\necho hi\n");
  CHECK(BoothookScript("#cloud-boothook\n\n  \t#!/bin/sh\n") == "#!/bin/sh\n");
  // cloud-init's strip is case-sensitive; only leading whitespace goes then.
  CHECK(BoothookScript("#Cloud-Boothook\n#!/bin/sh\n") == "#Cloud-Boothook\n#!/bin/sh\n");
  CHECK(BoothookScript("#!/bin/sh\necho plain\n") == "#!/bin/sh\necho plain\n");
  CHECK(BoothookScript("#cloud-boothook") == "");
}

}  // namespace
}  // namespace s3us::handlers

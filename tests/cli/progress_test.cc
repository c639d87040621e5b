#include "cli/progress.h"

#include <catch2/catch.hpp>
#include <cstdio>

#include "net/sinks.h"

namespace s3us::cli {
namespace {

TEST_CASE("progress lines show the name, bytes and rate") {
  CHECK(FormatProgress("app.tar.gz", 1536, 0) == "app.tar.gz  1.5 KiB");
  CHECK(FormatProgress("x", 10 << 20, 2.0) == "x  10.0 MiB  5.0 MiB/s");
}

TEST_CASE("a disabled progress sink writes nothing and forwards every byte") {
  std::FILE* out = std::tmpfile();
  REQUIRE(out != nullptr);
  net::MemorySink inner;
  {
    ProgressSink progress(inner, "obj", out, /*enabled=*/false);
    REQUIRE(progress.Write("abc").ok());
    REQUIRE(progress.Reset().ok());
    REQUIRE(progress.Write("defg").ok());
  }
  CHECK(inner.data() == "defg");
  CHECK(std::ftell(out) == 0);
  std::fclose(out);
}

}  // namespace
}  // namespace s3us::cli

#include "cli/status_command.h"

#include <catch2/catch.hpp>

namespace s3us::cli {
namespace {

using nlohmann::json;

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

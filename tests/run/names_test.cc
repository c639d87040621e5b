#include "run/names.h"

#include <catch2/catch.hpp>
#include <string>

namespace s3us::run {
namespace {

TEST_CASE("SafeFileName turns hostile filenames into one safe component") {
  struct Row {
    std::string raw;
    std::string want;
  };
  std::string long_name(300, 'a');
  const Row rows[] = {
      {"setup.sh", "setup.sh"},
      {"../../etc/passwd", "etc_passwd"},
      {"/etc/passwd", "etc_passwd"},
      {"", "part"},
      {".", "part"},
      {"..", "part"},
      {"...", "part"},
      {".hidden", "hidden"},
      {"-rf", "rf"},
      {"skrypt-\xc5\xbc\xc3\xb3\xc5\x82w.sh", "skrypt-_w.sh"},
      {"\xe6\x97\xa5\xe6\x9c\xac.sh", "sh"},
      {std::string("a\0b", 3), "a_b"},
      {"line\nbreak\r\tx", "line_break_x"},
      {"a b  c", "a_b_c"},
      {"x$(reboot)`id`;|&", "x_(reboot)_id_"},
      {long_name, std::string(kMaxNameBytes, 'a')},
  };
  for (const Row& row : rows) {
    INFO("raw: " << row.raw);
    std::string got = SafeFileName(row.raw);
    CHECK(got == row.want);
    CHECK(got.find('/') == std::string::npos);
    CHECK(got.size() <= kMaxNameBytes);
    CHECK(got != ".");
    CHECK(got != "..");
  }
}

TEST_CASE("PadIndex pads to at least three digits and to the width of the count") {
  CHECK(PadIndex(7, 12) == "007");
  CHECK(PadIndex(12, 12) == "012");
  CHECK(PadIndex(7, 1200) == "0007");
  CHECK(PadIndex(1200, 1200) == "1200");
}

TEST_CASE("PartFileName sorts in plan order and is unique per part") {
  CHECK(PartFileName(2, 10, "../../etc/passwd") == "002-etc_passwd");
  CHECK(PartFileName(3, 10, "") == "003-part");
  CHECK(PartFileName(9, 10, "z") < PartFileName(10, 10, "a"));
  CHECK(PartFileName(1, 2, "..") != PartFileName(2, 2, "."));
}

}  // namespace
}  // namespace s3us::run

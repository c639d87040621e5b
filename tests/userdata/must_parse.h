// Parse() for user data a test expects to parse, and a multipart/mixed document around parts.
#ifndef S3US_TESTS_USERDATA_MUST_PARSE_H_
#define S3US_TESTS_USERDATA_MUST_PARSE_H_

#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "userdata/parse.h"

namespace s3us::testing {

// The parts, or the test fails with the error.
inline std::vector<userdata::Part> MustParse(std::string_view blob,
                                             const userdata::ParseOptions& o = {}) {
  auto r = userdata::Parse(blob, o);
  if (!r.ok()) FAIL(r.error().ToString());
  return std::move(*r);
}

// `parts` are "--B\n<headers>\n\n<body>" each.
inline std::string Mime(const std::string& parts) {
  return "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=B\n\n" + parts + "--B--\n";
}

}  // namespace s3us::testing

#endif  // S3US_TESTS_USERDATA_MUST_PARSE_H_

// Helpers for tests that read the copied smithy-rs conformance data.
#ifndef S3US_TESTS_AWS_TEST_DATA_H_
#define S3US_TESTS_AWS_TEST_DATA_H_

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace s3us::aws::testdata {

inline std::string SmithyPath(const std::string& relative) {
  return std::string(S3US_TEST_DATA_DIR) + "/aws-config/smithy-rs/" + relative;
}

inline std::string ReadTestFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline nlohmann::json LoadSmithyJson(const std::string& relative) {
  return nlohmann::json::parse(ReadTestFile(SmithyPath(relative)));
}

}  // namespace s3us::aws::testdata

#endif  // S3US_TESTS_AWS_TEST_DATA_H_

// What a command (run by the shell: test scripts and their arguments only) prints on stdout;
// the test fails unless it exits 0.
#ifndef S3US_TESTS_FAKES_COMMAND_OUTPUT_H_
#define S3US_TESTS_FAKES_COMMAND_OUTPUT_H_

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

namespace s3us::testing {

inline std::string CommandOutput(const std::string& cmd) {
  FILE* p = popen((cmd + " 2>/dev/null").c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  REQUIRE(pclose(p) == 0);
  return out;
}

}  // namespace s3us::testing

#endif  // S3US_TESTS_FAKES_COMMAND_OUTPUT_H_

// TempDir: a fresh directory under /tmp for one test, removed with everything in it.
#ifndef S3US_TESTS_FAKES_TEMP_DIR_H_
#define S3US_TESTS_FAKES_TEMP_DIR_H_

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace s3us::testing {

struct TempDir {
  TempDir() {
    char tmpl[] = "/tmp/s3us-test-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string operator/(const std::string& rel) const { return path + "/" + rel; }
  std::string path;
};

}  // namespace s3us::testing

#endif  // S3US_TESTS_FAKES_TEMP_DIR_H_

// Helpers for run/ and handlers/ tests: temp dirs, fake parts, captured console output.
#ifndef S3US_TESTS_RUN_RUN_TEST_UTIL_H_
#define S3US_TESTS_RUN_RUN_TEST_UTIL_H_

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>

#include "expand/plan.h"
#include "fakes/temp_dir.h"
#include "userdata/part.h"

namespace s3us::testing {

inline userdata::Part MakePart(int index, std::string type, std::string filename,
                               std::string payload) {
  userdata::Part p;
  p.index = index;
  p.content_type = std::move(type);
  p.filename = std::move(filename);
  p.payload = std::move(payload);
  return p;
}

inline userdata::Part FetchedPart(int index, std::string type, std::string url,
                                  std::string payload) {
  userdata::Part p =
      MakePart(index, std::move(type), url.substr(url.rfind('/') + 1), std::move(payload));
  userdata::Source s;
  s.url = url;
  s.bucket = "b";
  s.key = url.substr(url.find('/', 5) + 1);
  s.region = "eu-west-1";
  s.etag = "\"abc\"";
  s.version_id = "v1";
  s.size = p.payload.size();
  s.sha256 = "feed";
  s.verified_by = "content-length";
  p.origin.source = s;
  p.origin.chain.push_back({1, 2, url});
  return p;
}

// Renumbers parts 1..n in the order given.
inline expand::Plan MakePlan(std::vector<userdata::Part> parts) {
  expand::Plan plan;
  for (size_t i = 0; i < parts.size(); ++i) parts[i].index = static_cast<int>(i) + 1;
  plan.parts = std::move(parts);
  return plan;
}

inline std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline mode_t ModeOf(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

// Collects child output instead of printing it.
struct Console {
  std::mutex mu;
  std::string out, err;
  void operator()(int stream, std::string_view bytes) {
    std::lock_guard<std::mutex> l(mu);
    (stream == 1 ? out : err).append(bytes);
  }
};

}  // namespace s3us::testing

#endif  // S3US_TESTS_RUN_RUN_TEST_UTIL_H_

// Helpers for run/ and handlers/ tests: temp dirs, fake parts, captured console output.
#ifndef S3US_TESTS_RUN_RUN_TEST_UTIL_H_
#define S3US_TESTS_RUN_RUN_TEST_UTIL_H_

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

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

// What /proc says of a process: its parent, its session and where its descriptors lead.
struct ProcessView {
  pid_t pid = 0;
  pid_t ppid = 0;
  pid_t session = 0;
  char state = '?';              // 'Z' for a zombie
  std::vector<std::string> fds;  // readlink of each /proc/PID/fd entry
};

inline bool ReadProcess(pid_t pid, ProcessView& view) {
  std::string dir = "/proc/" + std::to_string(pid);
  std::ifstream stat(dir + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  size_t paren = text.rfind(')');
  if (paren == std::string::npos) return false;
  std::istringstream fields(text.substr(paren + 2));
  pid_t pgrp = 0;
  fields >> view.state >> view.ppid >> pgrp >> view.session;
  if (!fields) return false;
  view.pid = pid;
  view.fds.clear();
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir + "/fd", ec)) {
    std::error_code link_ec;
    view.fds.push_back(std::filesystem::read_symlink(entry.path(), link_ec).string());
  }
  return true;
}

// Every process, zombies too, with what /proc tells of it (those that end meanwhile are left
// out).
inline std::vector<ProcessView> AllProcesses() {
  std::vector<ProcessView> all;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    ProcessView view;
    if (ReadProcess(static_cast<pid_t>(std::stol(name)), view)) all.push_back(std::move(view));
  }
  return all;
}

// Processes other than this one with `path` open.
inline std::vector<ProcessView> ProcessesHolding(const std::string& path) {
  std::vector<ProcessView> found;
  for (ProcessView& p : AllProcesses()) {
    if (p.pid == getpid()) continue;
    for (const std::string& fd : p.fds) {
      if (fd == path) {
        found.push_back(std::move(p));
        break;
      }
    }
  }
  return found;
}

// This process's children, running or zombies, in ascending order.
inline std::vector<pid_t> Children() {
  std::vector<pid_t> children;
  for (const ProcessView& p : AllProcesses()) {
    if (p.ppid == getpid()) children.push_back(p.pid);
  }
  std::sort(children.begin(), children.end());
  return children;
}

}  // namespace s3us::testing

#endif  // S3US_TESTS_RUN_RUN_TEST_UTIL_H_

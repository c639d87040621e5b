#include "aws/environment.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <vector>

#include "core/files.h"
#include "core/log.h"
#include "core/strings.h"

namespace s3us::aws {
namespace {

// As botocore: a file it may not look at (a parent it cannot search, as /root for another
// user) is no file (os.path.isfile), and one it may not read is skipped (ConfigParser.read).
bool MayNotRead(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return errno == EACCES;
  return faccessat(AT_FDCWD, path.c_str(), R_OK, AT_EACCESS) != 0 && errno == EACCES;
}

}  // namespace

Environment Environment::Process(const Deadline& deadline, Clock& clock) {
  Environment env(
      [](std::string_view name) -> std::optional<std::string> {
        const char* v = std::getenv(std::string(name).c_str());
        if (v == nullptr) return std::nullopt;
        return std::string(v);
      },
      [deadline, clock = &clock](const std::string& path) -> Result<std::optional<std::string>> {
        if (MayNotRead(path)) {
          LogInfo("taking " + path + " as absent: permission denied (as the AWS CLI does)");
          return std::optional<std::string>();
        }
        Result<std::string> text = s3us::ReadFile(path, kMaxSharedFileBytes, deadline, *clock);
        if (text.ok()) return std::optional<std::string>(std::move(*text));
        if (text.error().code() == ErrorCode::kNotFound) return std::optional<std::string>();
        return std::move(text).error();
      });
  env.process_ = true;
  return env;
}

Environment Environment::Fake(std::map<std::string, std::string> vars,
                              std::map<std::string, std::string> files) {
  return Environment(
      [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
        auto it = vars.find(std::string(name));
        if (it == vars.end()) return std::nullopt;
        return it->second;
      },
      [files = std::move(files)](const std::string& path) -> Result<std::optional<std::string>> {
        auto it = files.find(path);
        if (it == files.end()) return std::optional<std::string>();
        return std::optional<std::string>(it->second);
      });
}

std::optional<std::string> Environment::GetNonBlank(std::string_view name) const {
  std::optional<std::string> v = Get(name);
  if (!v) return std::nullopt;
  std::string_view t = Trim(*v);
  if (t.empty()) return std::nullopt;
  return std::string(t);
}

std::optional<std::string> Environment::HomeDir() const {
  if (std::optional<std::string> home = GetNonBlank("HOME")) return home;
  if (!process_) return std::nullopt;
  long size = sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buf(size > 0 ? static_cast<size_t>(size) : 16384);
  struct passwd pw;
  struct passwd* found = nullptr;
  if (getpwuid_r(getuid(), &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr ||
      found->pw_dir == nullptr) {
    return std::nullopt;
  }
  return std::string(found->pw_dir);
}

std::string Environment::ExpandHome(const std::string& path) const {
  if (path != "~" && !path.starts_with("~/")) return path;
  std::optional<std::string> home = HomeDir();
  if (!home) return path;
  return *home + path.substr(1);
}

}  // namespace s3us::aws

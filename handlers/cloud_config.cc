#include "handlers/cloud_config.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/files.h"
#include "core/private_paths.h"
#include "core/strings.h"
#include "run/names.h"
#include "userdata/content_type.h"

namespace s3us::handlers {
namespace {

Status CheckConfigDir(const std::string& dir) {
  struct stat st;
  if (lstat(dir.c_str(), &st) != 0) {
    if (errno == ENOENT) return MakePrivateDir(dir, 0755);
    return Error(ErrorCode::kIo, "cannot inspect " + dir + ": " + std::strerror(errno));
  }
  if (S_ISLNK(st.st_mode)) return Error(ErrorCode::kUnsafePath, dir + " is a symbolic link");
  if (!S_ISDIR(st.st_mode)) return Error(ErrorCode::kUnsafePath, dir + " is not a directory");
  if (st.st_uid != geteuid()) {
    return Error(ErrorCode::kUnsafePath, dir + " is owned by another user");
  }
  if (st.st_mode & 022) {
    return Error(ErrorCode::kUnsafePath, dir + " is writable by group or others");
  }
  return Ok();
}

// Written whole under a temporary name, then renamed into place: cloud-init never finds a
// config cut short (a full disk, a kill), which it would read as valid YAML that ends early.
Status WriteWhole(const std::string& path, const userdata::Payload& payload) {
  Result<AtomicFile> file = AtomicFile::Create(path, 0600);
  if (!file.ok()) return std::move(file.error()).WithContext("writing " + path);
  Status st = payload.CopyTo(file->fd());
  if (!st.ok()) return std::move(st.error()).WithContext("writing " + path);
  return file->Commit();
}

}  // namespace

std::vector<std::string> CloudConfigHandler::content_types() const {
  return {userdata::kTypeCloudConfig, userdata::kTypeCloudConfigJsonp};
}

Status CloudConfigHandler::Begin(run::HandlerContext& ctx) {
  written_.clear();
  // A directory we cannot write to fails the run before its first part, not at the first
  // cloud-config after earlier parts ran.
  if (ctx.dry_run || !ctx.takes_parts) return Ok();
  const std::string& dir = ctx.paths.cloud_config_dir;
  if (Status st = CheckConfigDir(dir); !st.ok()) {
    return std::move(st.error()).WithContext("cloud-config directory " + dir);
  }
  if (access(dir.c_str(), W_OK) != 0) {
    return Error(ErrorCode::kIo,
                 "cloud-config directory " + dir + ": cannot write there: " + std::strerror(errno));
  }
  return Ok();
}

Result<run::Outcome> CloudConfigHandler::Handle(const userdata::Part& part,
                                                run::HandlerContext& ctx) {
  const std::string& dir = ctx.paths.cloud_config_dir;
  std::string base = kCloudConfigPrefix + run::PadIndex(part.index, ctx.part_count);
  run::Outcome outcome;
  std::string extension = ".cfg";
  if (IEquals(part.content_type, userdata::kTypeCloudConfigJsonp)) {
    extension = ".jsonp";
    outcome.warnings.push_back("cloud-init reads only *.cfg files in " + dir +
                               ", as YAML: this jsonp patch is written as " + base + extension +
                               " and will not be applied by cloud-init");
  }
  for (const auto& [name, value] : part.headers) {
    if (userdata::IsMergeHeader(name)) {
      outcome.warnings.push_back(name + " is not applied: cloud-init merges the files in " + dir +
                                 " by its own rules (the cloud-init bridge keeps it)");
    }
  }
  std::string path = dir + "/" + base + extension;
  if (ctx.dry_run) {
    outcome.kind = run::OutcomeKind::kDryRun;
    outcome.message = "would write " + std::to_string(part.payload.size()) + " bytes to " + path;
    return outcome;
  }
  if (Status st = CheckConfigDir(dir); !st.ok()) {
    return std::move(st.error()).WithContext("writing " + path);
  }
  if (Status st = WriteWhole(path, part.payload); !st.ok()) return st.error();
  written_.insert(base + extension);
  outcome.kind = run::OutcomeKind::kOk;
  outcome.message = "wrote " + std::to_string(part.payload.size()) + " bytes to " + path;
  return outcome;
}

Status CloudConfigHandler::End(run::HandlerContext& ctx, bool completed) {
  if (ctx.dry_run || !completed) return Ok();
  const std::string& dir = ctx.paths.cloud_config_dir;
  int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0) return Ok();  // nothing of ours can be there
  DIR* d = fdopendir(dfd);
  if (d == nullptr) {
    close(dfd);
    return Ok();
  }
  Status status;
  while (struct dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name.rfind(kCloudConfigPrefix, 0) != 0 || written_.count(name) > 0) continue;
    struct stat st;
    if (fstatat(dfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || S_ISDIR(st.st_mode)) continue;
    if (unlinkat(dfd, name.c_str(), 0) != 0 && status.ok()) {
      status = Error(ErrorCode::kIo,
                     "cannot remove stale " + dir + "/" + name + ": " + std::strerror(errno));
    }
  }
  closedir(d);
  return status;
}

}  // namespace s3us::handlers

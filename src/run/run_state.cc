#include "run/run_state.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

#include "core/crypto.h"
#include "core/files.h"
#include "core/private_paths.h"
#include "core/strings.h"
#include "run/names.h"

namespace s3us::run {
namespace {

bool SafeInstanceId(const std::string& id) {
  if (id.empty() || id.size() > 128 || id == "." || id == "..") return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// A marker we could have written: a small regular file of ours that neither group nor
// others may write. Anything else may be another user's, planted to skip a part.
bool OwnMarker(const struct stat& st) {
  return S_ISREG(st.st_mode) && st.st_size <= 65536 && st.st_uid == geteuid() &&
         (st.st_mode & 022) == 0;
}

// Reads a marker without following a symlink at its name, nor waiting on a FIFO
// (O_NONBLOCK: opening one would wait for a writer); nullopt for anything not OwnMarker.
std::optional<std::string> ReadMarker(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st;
  if (fstat(fd, &st) != 0 || !OwnMarker(st)) {
    close(fd);
    return std::nullopt;
  }
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

// A report is replaced by rename, which would not follow a symlink at its name, but the
// run would then end with an error after its parts ran: refuse such a path before any runs.
Status CheckReplaceable(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Ok();
    return Error(ErrorCode::kIo, "cannot inspect " + path + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return Error(ErrorCode::kUnsafePath, path + " exists and is not a regular file");
  }
  return Ok();
}

// Removes the files (and symlinks, never their targets) directly inside the open directory
// `dfd` (taken: closed here); `dir` names it in messages.
Status ClearFilesAt(int dfd, const std::string& dir) {
  DIR* d = fdopendir(dfd);
  if (d == nullptr) {
    close(dfd);
    return Error(ErrorCode::kIo, "cannot list " + dir + ": " + std::strerror(errno));
  }
  Status status;
  while (struct dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st;
    if (fstatat(dfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (S_ISDIR(st.st_mode)) continue;
    if (unlinkat(dfd, name.c_str(), 0) != 0 && status.ok()) {
      status =
          Error(ErrorCode::kIo, "cannot remove " + dir + "/" + name + ": " + std::strerror(errno));
    }
  }
  closedir(d);
  return status;
}

// Removes the files (and symlinks, never their targets) directly inside a private directory.
Status ClearFiles(const std::string& dir) {
  int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0) return Error(ErrorCode::kIo, "cannot open " + dir + ": " + std::strerror(errno));
  return ClearFilesAt(dfd, dir);
}

}  // namespace

void RemoveStaleWorkDirs(const std::string& state_dir) {
  int dir = open(state_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir < 0) return;
  std::vector<std::string> stale;
  if (DIR* d = fdopendir(dup(dir))) {
    while (dirent* e = readdir(d)) {
      // Only the names MakePrivateTempDir makes: a state directory may be one of the
      // user's own (`--state-dir .`), and "work-2024" is theirs.
      if (IsPrivateTempDirName(e->d_name, kWorkDirPrefix)) stale.emplace_back(e->d_name);
    }
    closedir(d);
  }
  for (const std::string& name : stale) {
    struct stat st;
    if (fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode) ||
        st.st_uid != geteuid() || (st.st_mode & 07777) != 0700) {
      continue;
    }
    int work = openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (work < 0) continue;
    // Best effort: what cannot be removed now is tried again by the next run.
    (void)ClearFilesAt(work, state_dir + "/" + name);
    unlinkat(dir, name.c_str(), AT_REMOVEDIR);
  }
  close(dir);
}

Result<StateLayout> LayoutFor(const std::string& state_dir, const std::string& instance_id) {
  if (state_dir.empty()) return Error(ErrorCode::kInvalidInput, "state directory is empty");
  std::string id = instance_id.empty() ? std::string(kNoInstanceId) : instance_id;
  if (!SafeInstanceId(id)) {
    return Error(ErrorCode::kInvalidInput,
                 "instance id " + SafeFileName(id) + " cannot name a directory");
  }
  StateLayout l;
  l.state_dir = state_dir;
  while (l.state_dir.size() > 1 && l.state_dir.back() == '/') l.state_dir.pop_back();
  l.instance_dir = l.state_dir + "/instances/" + id;
  l.scripts_dir = l.instance_dir + "/scripts";
  l.boothooks_dir = l.instance_dir + "/boothooks";
  l.logs_dir = l.instance_dir + "/logs";
  l.per_instance_dir = l.instance_dir + "/markers/per-instance";
  l.per_boot_dir = l.instance_dir + "/markers/per-boot";
  l.once_dir = l.state_dir + "/once";
  l.instance_report = l.instance_dir + "/report.json";
  l.last_report = l.state_dir + "/report.json";
  return l;
}

std::string MarkerKey(const userdata::Part& part) {
  std::string digest = Sha256Hex(std::to_string(part.index) + "\n" + part.filename + "\n" +
                                 part.payload.Sha256Hex());
  std::string name = SafeFileName(part.filename);
  if (name.size() > 64) name.resize(64);
  return name + "-" + digest.substr(0, 32);
}

Result<std::string> ReadBootId(const std::string& path) {
  Result<std::string> text = ReadFile(path, 4096);
  if (!text.ok()) return std::move(text.error()).WithContext("reading the boot id");
  std::string id(Trim(*text));
  if (id.empty()) return Error(ErrorCode::kIo, path + " is empty");
  return id;
}

Result<RunState> RunState::Inspect(const std::string& state_dir, const std::string& instance_id,
                                   std::string boot_id) {
  Result<StateLayout> layout = LayoutFor(state_dir, instance_id);
  if (!layout.ok()) return std::move(layout.error());
  RunState state;
  state.layout_ = std::move(*layout);
  state.boot_id_ = std::move(boot_id);
  return state;
}

Result<RunState> RunState::Open(const std::string& state_dir, const std::string& instance_id,
                                std::string boot_id) {
  Result<RunState> state = Inspect(state_dir, instance_id, std::move(boot_id));
  if (!state.ok()) return state;
  const StateLayout& l = state->layout_;
  // Parents first, so that none of them is created with MakePrivateDir's 0755 for parents.
  const std::string dirs[] = {
      l.state_dir, l.state_dir + "/instances",  l.instance_dir,     l.scripts_dir,  l.boothooks_dir,
      l.logs_dir,  l.instance_dir + "/markers", l.per_instance_dir, l.per_boot_dir, l.once_dir};
  for (const std::string& dir : dirs) {
    Status made = MakePrivateDir(dir);
    if (!made.ok()) return std::move(made.error()).WithContext("preparing the state directory");
  }
  for (const std::string* dir : {&l.scripts_dir, &l.boothooks_dir}) {
    Status cleared = ClearFiles(*dir);
    if (!cleared.ok())
      return std::move(cleared.error()).WithContext("preparing the state directory");
  }
  for (const std::string* report : {&l.instance_report, &l.last_report}) {
    Status checked = CheckReplaceable(*report);
    if (!checked.ok())
      return std::move(checked.error()).WithContext("preparing the state directory");
  }
  return state;
}

std::string RunState::MarkerPath(Frequency frequency, const std::string& key) const {
  switch (frequency) {
    case Frequency::kPerBoot:
      return layout_.per_boot_dir + "/" + key;
    case Frequency::kPerInstance:
      return layout_.per_instance_dir + "/" + key;
    case Frequency::kPerOnce:
      return layout_.once_dir + "/" + key;
    case Frequency::kAlways:
      break;
  }
  return "";
}

bool RunState::HasRun(Frequency frequency, const std::string& key) const {
  if (frequency == Frequency::kAlways) return false;
  std::optional<std::string> text = ReadMarker(MarkerPath(frequency, key));
  if (!text.has_value()) return false;
  if (frequency != Frequency::kPerBoot) return true;
  nlohmann::json record = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  return record.is_object() && record.value("boot_id", "") == boot_id_ && !boot_id_.empty();
}

Status RunState::MarkRan(Frequency frequency, const std::string& key, nlohmann::json record) {
  if (frequency == Frequency::kAlways) return Ok();
  record["boot_id"] = boot_id_;
  record["frequency"] = std::string(FrequencyName(frequency));
  std::string path = MarkerPath(frequency, key);
  Status written = WriteNewFile(
      path, record.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", 0600);
  if (!written.ok()) return std::move(written.error()).WithContext("recording that the part ran");
  return Ok();
}

namespace {

// Removes all but the newest `keep` run logs of `logs_dir` (names sort by their time stamp):
// a log per boot, each up to 64 MiB a part, must not fill a small root volume over the
// instance's life. Only our regular files named run-*.log; nothing is followed.
void PruneRunLogs(const std::string& logs_dir, size_t keep) {
  int dir = open(logs_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir < 0) return;
  std::vector<std::string> logs;
  if (DIR* d = fdopendir(dup(dir))) {
    while (dirent* e = readdir(d)) {
      std::string_view name = e->d_name;
      if (name.starts_with("run-") && name.ends_with(".log")) logs.emplace_back(name);
    }
    closedir(d);
  }
  std::sort(logs.begin(), logs.end());
  for (size_t i = 0; i + keep < logs.size(); ++i) {
    struct stat st;
    if (fstatat(dir, logs[i].c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
        st.st_uid == geteuid()) {
      unlinkat(dir, logs[i].c_str(), 0);
    }
  }
  close(dir);
}

}  // namespace

Result<int> RunState::CreateLogFile(const std::string& stamp, std::string* path) {
  PruneRunLogs(layout_.logs_dir, kKeptRunLogs - 1);
  for (int attempt = 1; attempt <= 100; ++attempt) {
    std::string candidate = layout_.logs_dir + "/run-" + stamp +
                            (attempt == 1 ? "" : "-" + std::to_string(attempt)) + ".log";
    int fd = open(candidate.c_str(),
                  O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_APPEND | O_CLOEXEC, 0600);
    if (fd >= 0) {
      fchmod(fd, 0600);
      *path = candidate;
      return fd;
    }
    if (errno != EEXIST) {
      return Error(ErrorCode::kIo, "cannot create " + candidate + ": " + std::strerror(errno));
    }
  }
  return Error(ErrorCode::kIo, "cannot find a free log file name in " + layout_.logs_dir);
}

Status RunState::WriteReport(const std::string& json_text) {
  for (const std::string* path : {&layout_.instance_report, &layout_.last_report}) {
    Result<AtomicFile> file = AtomicFile::Create(*path, 0600);
    if (!file.ok()) return std::move(file.error()).WithContext("writing the report");
    Status st = file->Write(json_text);
    if (st.ok()) st = file->Commit();
    if (!st.ok()) return std::move(st.error()).WithContext("writing the report");
  }
  return Ok();
}

}  // namespace s3us::run

#include "run/handler.h"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/interrupt.h"
#include "core/strings.h"

namespace s3us::run {

std::string_view FrequencyName(Frequency frequency) {
  switch (frequency) {
    case Frequency::kAlways:
      return "always";
    case Frequency::kPerBoot:
      return "per-boot";
    case Frequency::kPerInstance:
      return "per-instance";
    case Frequency::kPerOnce:
      return "per-once";
  }
  return "always";
}

std::string_view OutcomeName(OutcomeKind kind) {
  switch (kind) {
    case OutcomeKind::kOk:
      return "ok";
    case OutcomeKind::kFailed:
      return "failed";
    case OutcomeKind::kSkipped:
      return "skipped";
    case OutcomeKind::kNotRun:
      return "not-run";
    case OutcomeKind::kAlreadyRan:
      return "already-ran";
    case OutcomeKind::kDryRun:
      return "dry-run";
  }
  return "failed";
}

namespace {

// The interpreter a script's #! line names, as the kernel reads it (the first word after
// "#!", within its 256-byte buffer); empty when there is none. The file is ours: we wrote it.
std::string InterpreterOf(std::string_view path) {
  int fd = open(std::string(path).c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return "";
  char head[256];
  ssize_t n = read(fd, head, sizeof head);
  close(fd);
  std::string_view text(head, n > 0 ? static_cast<size_t>(n) : 0);
  if (!text.starts_with("#!")) return "";
  text = text.substr(
      2, text.find('\n') == std::string_view::npos ? std::string_view::npos : text.find('\n') - 2);
  text = Trim(text);
  return std::string(text.substr(0, text.find_first_of(" \t")));
}

bool OnNoexecMount(std::string_view path) {
  struct statvfs vfs;
  return statvfs(std::string(path).c_str(), &vfs) == 0 && (vfs.f_flag & ST_NOEXEC) != 0;
}

}  // namespace

Outcome OutcomeFromExit(const ExitInfo& info, std::string_view path,
                        std::string_view noexec_advice) {
  Outcome out;
  if (info.log_dropped > 0) {
    out.warnings.push_back("the log holds the first " + HumanBytes(info.log_limit) +
                           " of the output; " + std::to_string(info.log_dropped) +
                           " bytes more were not logged");
  }
  if (info.log_errno != 0) {
    out.warnings.push_back(std::string("the log is incomplete: writing it failed: ") +
                           std::strerror(info.log_errno));
  }
  out.kind = OutcomeKind::kFailed;
  if (info.exec_errno != 0) {
    out.message = "cannot execute" + (path.empty() ? "" : " " + std::string(path)) + ": " +
                  std::strerror(info.exec_errno);
    // Linux refuses a #! line longer than its 256-byte buffer with the same ENOEXEC.
    if (info.exec_errno == ENOEXEC) {
      out.message += " (not a binary, and no #! line the kernel takes: none, or one too long)";
    }
    // The script is there (we wrote it): ENOENT and EACCES then name its interpreter, or
    // for EACCES the mount (CIS images mount /tmp noexec), which only a directory elsewhere
    // gets round.
    const std::string interpreter = path.empty() ? "" : InterpreterOf(path);
    if (info.exec_errno == ENOENT && !interpreter.empty()) {
      out.message += " (its #! interpreter " + Printable(interpreter) + " does not exist)";
    } else if (info.exec_errno == EACCES &&
               (interpreter.empty() || path.empty() || OnNoexecMount(path))) {
      out.message += " (is its filesystem mounted noexec?";
      out.message += noexec_advice.empty() ? ")" : " " + std::string(noexec_advice) + ")";
    } else if (info.exec_errno == EACCES) {
      out.message += " (its #! interpreter " + Printable(interpreter) + " cannot be executed)";
    }
    return out;
  }
  if (info.interrupted != 0) {
    out.message = "interrupted by " + SignalName(info.interrupted);
    if (info.signal != 0) out.signal = info.signal;
    if (info.exited) out.exit_status = info.status;
    return out;
  }
  if (info.timed_out) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "timed out after %g s",
                  static_cast<double>(info.timeout.count()) / 1000.0);
    out.message = buf;
    out.timed_out = true;
    if (info.signal != 0) out.signal = info.signal;
    if (info.exited) out.exit_status = info.status;
    return out;
  }
  if (info.signal != 0) {
    out.signal = info.signal;
    out.message = "killed by signal " + std::to_string(info.signal);
    return out;
  }
  out.exit_status = info.status;
  out.message = "exited with status " + std::to_string(info.status);
  if (info.exited && info.status == 0) out.kind = OutcomeKind::kOk;
  return out;
}

Status Registry::Add(std::unique_ptr<Handler> handler) {
  for (const std::string& type : handler->content_types()) {
    for (const auto& existing : handlers_) {
      for (const std::string& taken : existing->content_types()) {
        if (IEquals(type, taken)) {
          return Error(ErrorCode::kInternal, "content type " + type + " is taken by both " +
                                                 std::string(existing->name()) + " and " +
                                                 std::string(handler->name()));
        }
      }
    }
  }
  handlers_.push_back(std::move(handler));
  return Ok();
}

void Registry::SetFallback(std::unique_ptr<Handler> handler) { fallback_ = std::move(handler); }

Handler* Registry::Find(std::string_view content_type) const {
  for (const auto& handler : handlers_) {
    for (const std::string& type : handler->content_types()) {
      if (IEquals(type, content_type)) return handler.get();
    }
  }
  return fallback_.get();
}

std::vector<Handler*> Registry::All() const {
  std::vector<Handler*> all;
  for (const auto& handler : handlers_) all.push_back(handler.get());
  if (fallback_) all.push_back(fallback_.get());
  return all;
}

}  // namespace s3us::run

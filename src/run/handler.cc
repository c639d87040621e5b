#include "run/handler.h"

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

Outcome OutcomeFromExit(const ExitInfo& info, std::string_view path,
                        std::string_view noexec_advice) {
  Outcome out;
  if (info.log_dropped > 0) {
    out.warnings.push_back("the log holds the first " + HumanBytes(info.log_limit) +
                           " of the output; " + std::to_string(info.log_dropped) +
                           " bytes more were not logged");
  }
  out.kind = OutcomeKind::kFailed;
  if (info.exec_errno != 0) {
    out.message = "cannot execute" + (path.empty() ? "" : " " + std::string(path)) + ": " +
                  std::strerror(info.exec_errno);
    // Linux refuses a #! line longer than its 256-byte buffer with the same ENOEXEC.
    if (info.exec_errno == ENOEXEC) {
      out.message += " (not a binary, and no #! line the kernel takes: none, or one too long)";
    }
    // A file we wrote 0700 in our own directory: EACCES is the mount (CIS images mount /tmp
    // noexec), which only a directory elsewhere gets round.
    if (info.exec_errno == EACCES) {
      out.message += " (is its filesystem mounted noexec?";
      out.message += noexec_advice.empty() ? ")" : " " + std::string(noexec_advice) + ")";
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

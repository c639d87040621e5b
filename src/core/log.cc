#include "core/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>

#include "core/secret.h"
#include "core/strings.h"

namespace s3us {
namespace {

std::atomic<int> g_level{static_cast<int>(LogLevel::kWarning)};

std::mutex& SinkMutex() {
  static std::mutex m;
  return m;
}

LogSink& Sink() {
  static auto* sink = new LogSink();
  return *sink;
}

}  // namespace

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kError:
      return "error";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kTrace:
      return "trace";
  }
  return "info";
}

void SetLogLevel(LogLevel level) { g_level = static_cast<int>(level); }
LogLevel GetLogLevel() { return static_cast<LogLevel>(g_level.load()); }
bool LogEnabled(LogLevel level) { return static_cast<int>(level) <= g_level.load(); }

void SetLogSink(LogSink sink) {
  std::lock_guard<std::mutex> lock(SinkMutex());
  Sink() = std::move(sink);
}

void Log(LogLevel level, std::string_view message) {
  if (!LogEnabled(level)) return;
  std::string line = "s3-user-script: ";
  line += LogLevelName(level);
  line += ": ";
  line += message;
  // Redacted before it is escaped: a secret is found in the bytes as they came.
  line = Printable(RedactSecrets(std::move(line)), kMaxLogMessage);
  std::lock_guard<std::mutex> lock(SinkMutex());
  if (Sink()) {
    Sink()(level, line);
  } else {
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
}

}  // namespace s3us

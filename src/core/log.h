// Process-wide leveled logging to stderr (or a test sink), with secrets redacted.
//
// Every line passes through RedactSecrets() before a sink sees it. Lines read
// "s3-user-script: warning: <message>". Thread-safe. Messages are lower-case, name the
// thing (part, URL, file) and the cause, and never include request headers.
#ifndef S3US_CORE_LOG_H_
#define S3US_CORE_LOG_H_

#include <functional>
#include <string>
#include <string_view>

namespace s3us {

enum class LogLevel { kError = 0, kWarning = 1, kInfo = 2, kDebug = 3, kTrace = 4 };

std::string_view LogLevelName(LogLevel level);

// Most bytes of one message in a line: every line is also escaped (Printable), so that one
// message is one printable line whatever text it quotes.
inline constexpr size_t kMaxLogMessage = 4096;

// Lines above this level are dropped. Default kWarning.
void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
bool LogEnabled(LogLevel level);

// Receives each finished, redacted line (without trailing newline). nullptr restores the
// default sink (stderr).
using LogSink = std::function<void(LogLevel, std::string_view line)>;
void SetLogSink(LogSink sink);

void Log(LogLevel level, std::string_view message);
inline void LogError(std::string_view m) { Log(LogLevel::kError, m); }
inline void LogWarning(std::string_view m) { Log(LogLevel::kWarning, m); }
inline void LogInfo(std::string_view m) { Log(LogLevel::kInfo, m); }
inline void LogDebug(std::string_view m) { Log(LogLevel::kDebug, m); }

}  // namespace s3us

#endif  // S3US_CORE_LOG_H_

#include "aws/process_credentials.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "aws/credential_document.h"
#include "aws/credential_providers.h"
#include "core/child.h"

namespace s3us::aws {
namespace {

constexpr size_t kMaxOutput = 64 << 10;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

Error StillRunning() {
  return Error(ErrorCode::kTimeout, "still running at the deadline; killed it");
}

using Steady = std::chrono::steady_clock;

// Milliseconds left until `end`, as poll takes them.
int MsUntil(Steady::time_point end) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(end - Steady::now()).count();
  return static_cast<int>(std::clamp<long long>(ms, 0, 1 << 30));
}

enum class Got { kData, kEof, kTooMuch };

// One read of the helper's stdout (poll said it is readable).
Result<Got> ReadSome(int fd, std::string& out) {
  char buf[4096];
  ssize_t got;
  while ((got = read(fd, buf, sizeof buf)) < 0 && errno == EINTR) {
  }
  if (got < 0) return Error(ErrorCode::kIo, std::string("reading its output: ") + strerror(errno));
  if (got == 0) return Got::kEof;
  if (out.size() + static_cast<size_t>(got) > kMaxOutput) return Got::kTooMuch;
  out.append(buf, static_cast<size_t>(got));
  return Got::kData;
}

// Reading ends (at EOF, on too much output or an error): the output, or why not.
Result<std::string> Finished(Result<Got> got, std::string& out) {
  if (!got.ok()) return got.error();
  if (*got == Got::kTooMuch) {
    return Error(ErrorCode::kLimitExceeded, "printed more than 64 KiB; killed it");
  }
  return std::move(out);
}

// After the helper exited: all it wrote is in the pipe. That, and no more once it is one
// whole JSON value; else the rest, from what it left running, up to `end`.
Result<std::string> CollectAfterExit(int fd, std::string& out, Steady::time_point end) {
  bool draining = true;
  while (true) {
    int left = MsUntil(end);
    if (!draining && left <= 0) {
      return Error(ErrorCode::kTimeout,
                   "exited, but what it started kept its output open until the deadline; "
                   "killed them");
    }
    pollfd p{fd, POLLIN, 0};
    int n = poll(&p, 1, draining ? 0 : left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error(ErrorCode::kIo, std::string("poll: ") + strerror(errno));
    if (n == 0) {
      if (draining && nlohmann::json::accept(out)) return std::move(out);
      draining = false;
      continue;
    }
    Result<Got> got = ReadSome(fd, out);
    if (!got.ok() || *got != Got::kData) return Finished(got, out);
    draining = true;
  }
}

// Reads the helper's stdout as botocore's communicate() does, to EOF, but only for the time
// `limit` leaves (measured once, as a poll would); and once the helper itself has exited,
// see CollectAfterExit (a process it left running could hold the pipe open for ever).
Result<std::string> Collect(const HelperProcess& helper, int fd, Clock& clock,
                            const Deadline& limit) {
  const Steady::time_point end = Steady::now() + limit.Remaining(clock);
  std::string out;
  const bool pidfd = helper.exit_fd() >= 0;
  while (true) {
    int left = MsUntil(end);
    if (left <= 0) return StillRunning();
    pollfd p[2] = {{fd, POLLIN, 0}, {helper.exit_fd(), POLLIN, 0}};
    // Without a pidfd, a look at the helper every 10 ms.
    int n = poll(p, pidfd ? 2 : 1, pidfd ? left : std::min(left, 10));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error(ErrorCode::kIo, std::string("poll: ") + strerror(errno));
    if (n > 0 && p[0].revents != 0) {
      Result<Got> got = ReadSome(fd, out);
      if (!got.ok() || *got != Got::kData) return Finished(got, out);
    } else if (pidfd ? (n > 0 && p[1].revents != 0) : helper.Exited()) {
      return CollectAfterExit(fd, out, end);
    }
  }
}

// Runs the helper in a process group of its own with stdout into a pipe; its output and
// wait status. Whatever happens, nothing it started in its group is left running.
Result<std::string> Run(const std::vector<std::string>& argv, Clock& clock, const Deadline& limit,
                        int& status) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return Error(ErrorCode::kIo, std::string("pipe: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t io;
  posix_spawn_file_actions_init(&io);
  posix_spawn_file_actions_adddup2(&io, fds[1], STDOUT_FILENO);
  // Not the caller's stderr: a helper that traces itself (`sh -x`) prints the keys it hands
  // over there, onto the boot console and into the journal. Nothing of it is kept either: a
  // failing helper's words may hold credentials we never learnt, so none can be redacted.
  posix_spawn_file_actions_addopen(&io, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  HelperProcess helper;
  int rc = helper.Start(argv, &io, HelperProcess::Group::kOwn);
  posix_spawn_file_actions_destroy(&io);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    return Error(ErrorCode::kInvalidInput, std::string("cannot run it: ") + std::strerror(rc));
  }
  Result<std::string> out = Collect(helper, fds[0], clock, limit);
  close(fds[0]);
  if (!out.ok()) {
    status = helper.Kill();
    return out;
  }
  bool killed = false;
  status = helper.Finish(limit, clock, killed);
  // A helper that closed its stdout may still run: it gets the time left, not for ever.
  if (killed) {
    return Error(ErrorCode::kTimeout,
                 "closed its output but was still running at the deadline; killed it");
  }
  return out;
}

}  // namespace

Result<std::vector<std::string>> SplitCommandLine(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quote == '\'') {
      if (c == '\'') {
        quote = 0;
      } else {
        word += c;
      }
    } else if (quote == '"') {
      if (c == '"') {
        quote = 0;
      } else if (c == '\\' && i + 1 < line.size() && (line[i + 1] == '"' || line[i + 1] == '\\')) {
        word += line[++i];
      } else {
        word += c;
      }
    } else if (IsSpace(c)) {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else if (c == '\\') {
      if (i + 1 == line.size()) {
        return Error(ErrorCode::kInvalidInput, "credential_process ends with a lone backslash");
      }
      word += line[++i];
      in_word = true;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote != 0) {
    return Error(ErrorCode::kInvalidInput,
                 std::string("credential_process has an unclosed ") + quote + " quote");
  }
  if (in_word) words.push_back(std::move(word));
  if (words.empty()) return Error(ErrorCode::kInvalidInput, "credential_process is empty");
  return words;
}

Result<Credentials> ParseProcessOutput(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Error(ErrorCode::kInvalidInput, "its output is not a JSON object");
  auto str = [&](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  auto version = j.find("Version");
  if (version == j.end() || !version->is_number_integer() || version->get<int64_t>() != 1) {
    return Error(ErrorCode::kInvalidInput, "its output has no \"Version\": 1");
  }
  Credentials c;
  c.access_key_id = str("AccessKeyId");
  c.secret_access_key = Secret(str("SecretAccessKey"));
  c.session_token = Secret(str("SessionToken"));
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    return Error(ErrorCode::kInvalidInput, "its output lacks AccessKeyId or SecretAccessKey");
  }
  if (Status s = CheckCredentialFields(c, {.session_token = "SessionToken"}); !s.ok()) {
    return std::move(s).error().WithContext("its output");
  }
  std::string expiration = str("Expiration");
  if (!expiration.empty()) {
    Result<Clock::WallTime> t = ParseAwsTimestamp(expiration);
    if (!t.ok()) return Error(ErrorCode::kInvalidInput, "its Expiration is not an ISO 8601 time");
    c.expiration = *t;
  }
  return c;
}

Result<Credentials> ProcessCredentialProvider::Fetch() {
  Result<std::vector<std::string>> argv = SplitCommandLine(command_);
  if (!argv.ok()) return std::move(argv).error().WithContext(Name());
  std::string what = Name() + " " + (*argv)[0];
  Deadline limit = Deadline::After(clock_, std::min(deadline_.Remaining(clock_), kProcessTimeout));
  int status = 0;
  Result<std::string> out = Run(*argv, clock_, limit, status);
  if (!out.ok()) return std::move(out).error().WithContext(what);
  if (WIFSIGNALED(status)) {
    return Error(ErrorCode::kInvalidInput, "killed by signal " + std::to_string(WTERMSIG(status)))
        .WithContext(what);
  }
  if (WEXITSTATUS(status) != 0) {
    return Error(ErrorCode::kInvalidInput,
                 "exited with status " + std::to_string(WEXITSTATUS(status)) +
                     " (its stderr is not shown: it may hold credentials; run it by hand)")
        .WithContext(what);
  }
  Result<Credentials> c = ParseProcessOutput(*out);
  if (!c.ok()) return std::move(c).error().WithContext(what);
  c->provider = Name();
  return c;
}

}  // namespace s3us::aws

#include "aws/process_credentials.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "aws/credential_providers.h"
#include "core/child.h"

extern char** environ;

namespace s3us::aws {
namespace {

constexpr size_t kMaxOutput = 64 << 10;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

struct Child {
  pid_t pid = -1;
  int out = -1;
};

Result<Child> Spawn(const std::vector<std::string>& argv) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return Error(ErrorCode::kIo, std::string("pipe: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  Child child;
  DefaultSignalsAttr signals;
  int rc = posix_spawnp(&child.pid, args[0], &actions, signals.get(), args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    return Error(ErrorCode::kInvalidInput, std::string("cannot run it: ") + std::strerror(rc));
  }
  child.out = fds[0];
  return child;
}

// Reads stdout to EOF within `timeout`; kills the child on overflow or time-out. Returns
// the output and sets `status` to the wait status.
Result<std::string> Collect(Child child, Clock& clock, Deadline deadline, int& status) {
  std::string out;
  std::optional<Error> failure;
  Deadline limit = Deadline::After(clock, std::min(deadline.Remaining(clock), kProcessTimeout));
  while (true) {
    pollfd p{child.out, POLLIN, 0};
    int ms = static_cast<int>(limit.Remaining(clock).count());
    int n = ms <= 0 ? 0 : poll(&p, 1, ms);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      failure = Error(ErrorCode::kTimeout, "still running at the deadline; killed it");
      break;
    }
    char buf[4096];
    ssize_t got = read(child.out, buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    if (out.size() + static_cast<size_t>(got) > kMaxOutput) {
      failure = Error(ErrorCode::kLimitExceeded, "printed more than 64 KiB; killed it");
      break;
    }
    out.append(buf, static_cast<size_t>(got));
  }
  close(child.out);
  // A helper that closed its stdout may still run: it gets the time left, not for ever.
  if (!failure && !ChildExitsBy(child.pid, limit, clock)) {
    failure = Error(ErrorCode::kTimeout,
                    "closed its output but was still running at the deadline; killed it");
  }
  if (failure) kill(child.pid, SIGKILL);
  while (waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (failure) return std::move(*failure);
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
  Result<Child> child = Spawn(*argv);
  if (!child.ok()) return std::move(child).error().WithContext(what);
  int status = 0;
  Result<std::string> out = Collect(*child, clock_, deadline_, status);
  if (!out.ok()) return std::move(out).error().WithContext(what);
  if (WIFSIGNALED(status)) {
    return Error(ErrorCode::kInvalidInput, "killed by signal " + std::to_string(WTERMSIG(status)))
        .WithContext(what);
  }
  if (WEXITSTATUS(status) != 0) {
    return Error(ErrorCode::kInvalidInput,
                 "exited with status " + std::to_string(WEXITSTATUS(status)))
        .WithContext(what);
  }
  Result<Credentials> c = ParseProcessOutput(*out);
  if (!c.ok()) return std::move(c).error().WithContext(what);
  c->provider = Name();
  return c;
}

}  // namespace s3us::aws

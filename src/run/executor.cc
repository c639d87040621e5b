#include "run/executor.h"

#include <unistd.h>

#include "run/describe.h"
#include "run/script_env.h"

extern char** environ;

namespace s3us::run {
namespace {

void AppendLog(int fd, const std::string& line) {
  if (fd < 0) return;
  size_t off = 0;
  while (off < line.size()) {
    ssize_t n = write(fd, line.data() + off, line.size() - off);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

}  // namespace

Result<ExitInfo> ProcessExecutor::Execute(const std::string& path, const userdata::Part& part) {
  ScriptEnvFacts facts;
  facts.instance = options_.instance;
  facts.part = &part;
  facts.part_count = options_.part_count;
  facts.state_dir = options_.state_dir;
  facts.self_path = options_.self_path;
  facts.defaults = options_.env_defaults;

  ProcessSpec spec;
  spec.path = path;
  size_t slash = path.rfind('/');
  spec.cwd = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  spec.env = BuildScriptEnvironment(options_.base_env ? options_.base_env : environ, facts);
  spec.timeout = options_.timeout;
  spec.kill_grace = options_.kill_grace;
  spec.log_fd = options_.log_fd;
  spec.log_limit = options_.log_limit;
  spec.console = options_.console;

  std::string who = DescribePart(part, options_.part_count);
  AppendLog(options_.log_fd, "==== " + who + ": running " + path + "\n");
  Result<ExitInfo> info = RunProcess(spec);
  if (!info.ok()) {
    AppendLog(options_.log_fd, "==== " + who + ": " + info.error().ToString() + "\n");
    return info;
  }
  Outcome outcome = OutcomeFromExit(*info, path);
  if (info->log_dropped > 0) {
    AppendLog(options_.log_fd, "\n==== " + who + ": log cut: " + outcome.warnings.back() + "\n");
  }
  AppendLog(options_.log_fd, "==== " + who + ": " + outcome.message + "\n");
  if (info->output_handed_off) {
    AppendLog(options_.log_fd, "==== " + who +
                                   ": its background jobs still hold its output; what they "
                                   "write goes on into this log\n");
  }
  return info;
}

}  // namespace s3us::run

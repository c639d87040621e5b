#include "handlers/shell_script.h"

#include "core/files.h"
#include "core/private_paths.h"
#include "core/strings.h"
#include "handlers/script_text.h"
#include "run/names.h"

namespace s3us::handlers {

std::vector<std::string> ShellScriptHandler::content_types() const {
  return {userdata::kTypeShellScript, userdata::kTypeExecutable, userdata::kTypeShellScriptPerBoot,
          userdata::kTypeShellScriptPerInstance, userdata::kTypeShellScriptPerOnce};
}

run::Frequency ShellScriptHandler::FrequencyFor(const userdata::Part& part) const {
  if (IEquals(part.content_type, userdata::kTypeShellScriptPerBoot)) {
    return run::Frequency::kPerBoot;
  }
  if (IEquals(part.content_type, userdata::kTypeShellScriptPerOnce)) {
    return run::Frequency::kPerOnce;
  }
  return run::Frequency::kPerInstance;
}

Result<run::Outcome> ShellScriptHandler::Handle(const userdata::Part& part,
                                                run::HandlerContext& ctx) {
  bool executable = IEquals(part.content_type, userdata::kTypeExecutable);
  if (executable) return WriteAndRun(part, ctx, ctx.paths.scripts_dir, part.payload);
  Result<userdata::Payload> script = Dos2UnixPayload(part.payload);
  if (!script.ok()) return script.error();
  return WriteAndRun(part, ctx, ctx.paths.scripts_dir, *script);
}

Result<run::Outcome> WriteAndRun(const userdata::Part& part, run::HandlerContext& ctx,
                                 const std::string& dir, const userdata::Payload& content) {
  std::string path = dir + "/" + run::PartFileName(part.index, ctx.part_count, part.filename);
  run::Outcome outcome;
  if (ctx.dry_run) {
    outcome.kind = run::OutcomeKind::kDryRun;
    outcome.message =
        "would write " + std::to_string(content.size()) + " bytes to " + path + " and run it";
    return outcome;
  }
  // The directory was made private when the run began; check again right before writing.
  if (Status safe = MakePrivateDir(dir); !safe.ok()) {
    return std::move(safe.error()).WithContext("writing " + path);
  }
  // Its errors name the path.
  if (Status written = WriteNewFileWith(path, 0700, [&](int fd) { return content.CopyTo(fd); });
      !written.ok()) {
    return written.error();
  }
  if (ctx.executor == nullptr) return Error(ErrorCode::kInternal, "no executor for " + path);
  Result<run::ExitInfo> info = ctx.executor->Execute(path, part);
  if (!info.ok()) return std::move(info.error()).WithContext("running " + path);
  return run::OutcomeFromExit(*info, path, ctx.noexec_advice);
}

}  // namespace s3us::handlers

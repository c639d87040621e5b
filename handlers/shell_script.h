// Shell scripts and other #! scripts (text/x-shellscript), executables the parser found by
// libmagic (application/x-executable) and the frequency script types
// (text/x-shellscript-per-{boot,instance,once}). Each part is written to the run's private
// scripts directory as NNN-<safe filename> (0700, O_EXCL|O_NOFOLLOW; NNN = Plan index, so
// sorted order = run order) and executed directly, with no shell and no arguments.
// Scripts get cloud-init's dos2unix first; executables are written byte-exact.
// Frequency as cloud-init: plain scripts and executables once per instance (scripts_user),
// the -per-boot / -per-instance / -per-once types as named.
#ifndef S3US_HANDLERS_SHELL_SCRIPT_H_
#define S3US_HANDLERS_SHELL_SCRIPT_H_

#include "run/handler.h"

namespace s3us::handlers {

class ShellScriptHandler : public run::Handler {
 public:
  std::string_view name() const override { return "shell-script"; }
  std::vector<std::string> content_types() const override;
  bool runs_program() const override { return true; }
  run::Frequency FrequencyFor(const userdata::Part& part) const override;
  Result<run::Outcome> Handle(const userdata::Part& part, run::HandlerContext& ctx) override;
};

// Shared by the script and boothook handlers: writes `content` as dir/file (0700) and runs
// it through ctx.executor; in a dry run only says what it would do.
Result<run::Outcome> WriteAndRun(const userdata::Part& part, run::HandlerContext& ctx,
                                 const std::string& dir, const userdata::Payload& content);

}  // namespace s3us::handlers

#endif  // S3US_HANDLERS_SHELL_SCRIPT_H_

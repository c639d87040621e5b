#include "handlers/unhandled.h"

#include "core/strings.h"

namespace s3us::handlers {

Result<run::Outcome> UnhandledHandler::Handle(const userdata::Part& part, run::HandlerContext&) {
  run::Outcome outcome;
  outcome.kind = run::OutcomeKind::kSkipped;
  outcome.message = "unhandled content type";
  const std::string& type = part.content_type;
  if (IEquals(type, userdata::kTypePartHandler)) {
    outcome.message += " (part handlers are not run)";
  } else if (IEquals(type, userdata::kTypeInclude) || IEquals(type, userdata::kTypeIncludeOnce) ||
             IEquals(type, userdata::kTypeS3Include) ||
             IEquals(type, userdata::kTypeCloudConfigArchive)) {
    outcome.message += " (left unexpanded)";
  }
  return outcome;
}

}  // namespace s3us::handlers

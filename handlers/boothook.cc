#include "handlers/boothook.h"

#include "handlers/script_text.h"
#include "handlers/shell_script.h"

namespace s3us::handlers {

std::vector<std::string> BoothookHandler::content_types() const {
  return {userdata::kTypeCloudBoothook};
}

Result<run::Outcome> BoothookHandler::Handle(const userdata::Part& part, run::HandlerContext& ctx) {
  return WriteAndRun(part, ctx, ctx.paths.boothooks_dir, BoothookScript(part.payload));
}

}  // namespace s3us::handlers

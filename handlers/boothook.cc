#include "handlers/boothook.h"

#include "handlers/script_text.h"
#include "handlers/shell_script.h"

namespace s3us::handlers {

std::vector<std::string> BoothookHandler::content_types() const {
  return {userdata::kTypeCloudBoothook};
}

Result<run::Outcome> BoothookHandler::Handle(const userdata::Part& part, run::HandlerContext& ctx) {
  Result<userdata::PayloadView> text = part.payload.View(part.payload.size());
  if (!text.ok()) return text.error();
  return WriteAndRun(part, ctx, ctx.paths.boothooks_dir,
                     userdata::Payload(BoothookScript(text->bytes())));
}

}  // namespace s3us::handlers

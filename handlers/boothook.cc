#include "handlers/boothook.h"

#include "handlers/script_text.h"
#include "handlers/shell_script.h"

namespace s3us::handlers {

std::vector<std::string> BoothookHandler::content_types() const {
  return {userdata::kTypeCloudBoothook};
}

Result<run::Outcome> BoothookHandler::Handle(const userdata::Part& part, run::HandlerContext& ctx) {
  std::string buffer;
  Result<std::string_view> text = part.payload.Contents(part.payload.size(), buffer);
  if (!text.ok()) return text.error();
  return WriteAndRun(part, ctx, ctx.paths.boothooks_dir, userdata::Payload(BoothookScript(*text)));
}

}  // namespace s3us::handlers

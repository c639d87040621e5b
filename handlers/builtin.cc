#include "handlers/builtin.h"

#include <memory>

#include "handlers/boothook.h"
#include "handlers/cloud_config.h"
#include "handlers/jinja.h"
#include "handlers/shell_script.h"
#include "handlers/unhandled.h"

namespace s3us::handlers {

Status RegisterBuiltinHandlers(run::Registry& registry) {
  std::unique_ptr<run::Handler> list[] = {
      std::make_unique<ShellScriptHandler>(),
      std::make_unique<BoothookHandler>(),
      std::make_unique<CloudConfigHandler>(),
      std::make_unique<JinjaHandler>(),
      std::make_unique<UnhandledHandler>(std::vector<std::string>{
          userdata::kTypePartHandler, userdata::kTypeUpstartJob, userdata::kTypeInclude,
          userdata::kTypeIncludeOnce, userdata::kTypeS3Include, userdata::kTypeCloudConfigArchive,
          userdata::kTypePlain, userdata::kTypeNotMultipart}),
  };
  for (auto& handler : list) {
    Status added = registry.Add(std::move(handler));
    if (!added.ok()) return added;
  }
  registry.SetFallback(std::make_unique<UnhandledHandler>());
  return Ok();
}

}  // namespace s3us::handlers

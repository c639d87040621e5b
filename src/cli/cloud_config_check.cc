// validate's cloud-config check (declared in validate_command.h), shared by plan and replay:
// what cloud-init's load_yaml takes (userdata::CloudConfigYamlProblem, read by events in
// constant memory).
#include "cli/validate_command.h"
#include "userdata/cloud_config_yaml.h"

namespace s3us::cli {

void CheckCloudConfigYaml(const userdata::Part& part, std::vector<Problem>& problems) {
  Result<userdata::PayloadView> text = part.payload.View(part.payload.size());
  if (!text.ok()) {
    problems.push_back({part.index, 1, text.error().message()});
    return;
  }
  if (std::optional<userdata::YamlProblem> bad = userdata::CloudConfigYamlProblem(text->bytes())) {
    problems.push_back({part.index, static_cast<int>(bad->line), "cloud-config: " + bad->message});
  }
}

}  // namespace s3us::cli

#include "run/script_env.h"

#include <string_view>

namespace s3us::run {
namespace {

constexpr std::string_view kOurs[] = {
    "INSTANCE_ID",     "S3US_INSTANCE_ID", "S3US_REGION",    "S3US_PART_INDEX",
    "S3US_PART_COUNT", "S3US_PART_SOURCE", "S3US_STATE_DIR", "S3_USER_SCRIPT",
};

std::string_view NameOf(std::string_view var) {
  size_t eq = var.find('=');
  return eq == std::string_view::npos ? var : var.substr(0, eq);
}

bool IsOurs(std::string_view name) {
  for (std::string_view ours : kOurs) {
    if (name == ours) return true;
  }
  return false;
}

std::string Dirname(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

bool HasName(char* const* base, std::string_view name) {
  for (char* const* p = base; p != nullptr && *p != nullptr; ++p) {
    if (NameOf(*p) == name) return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> BuildScriptEnvironment(char* const* base, const ScriptEnvFacts& facts) {
  std::vector<std::string> env;
  for (const std::string& var : facts.defaults) {
    std::string_view name = NameOf(var);
    if (!IsOurs(name) && name != "PATH" && !HasName(base, name)) env.push_back(var);
  }
  std::string path_value;
  bool have_path = false;
  for (char* const* p = base; p != nullptr && *p != nullptr; ++p) {
    std::string_view var(*p);
    std::string_view name = NameOf(var);
    if (IsOurs(name)) continue;
    if (name == "PATH") {
      have_path = true;
      path_value = std::string(var.substr(var.find('=') + 1));
      continue;
    }
    env.emplace_back(var);
  }
  if (!facts.self_path.empty()) {
    std::string dir = Dirname(facts.self_path);
    if (!have_path) {
      path_value = dir + ":/usr/sbin:/usr/bin:/sbin:/bin";
    } else {
      path_value = path_value.empty() ? dir : dir + ":" + path_value;
    }
    have_path = true;
    env.push_back("S3_USER_SCRIPT=" + facts.self_path);
  }
  if (have_path) env.push_back("PATH=" + path_value);
  const std::string& id = facts.instance != nullptr ? facts.instance->instance_id : "";
  env.push_back("INSTANCE_ID=" + id);
  env.push_back("S3US_INSTANCE_ID=" + id);
  env.push_back("S3US_REGION=" + (facts.instance != nullptr ? facts.instance->region : ""));
  env.push_back("S3US_PART_INDEX=" + std::to_string(facts.part ? facts.part->index : 0));
  env.push_back("S3US_PART_COUNT=" + std::to_string(facts.part_count));
  if (facts.part != nullptr && facts.part->origin.source.has_value()) {
    env.push_back("S3US_PART_SOURCE=" + facts.part->origin.source->url);
  }
  env.push_back("S3US_STATE_DIR=" + facts.state_dir);
  return env;
}

}  // namespace s3us::run

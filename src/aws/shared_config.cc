#include "aws/shared_config.h"

namespace s3us::aws {
namespace {

Status MergeFile(const Environment& env, const std::string& path, ProfileFileKind kind,
                 ProfileSet& set) {
  if (path.empty()) return Ok();
  Result<std::optional<std::string>> text = env.ReadFile(path);
  if (!text.ok()) return std::move(text).error().WithContext("reading AWS shared file");
  if (!text->has_value()) return Ok();
  return MergeProfileFile(**text, kind, path, set);
}

}  // namespace

SharedFileLocations LocateSharedFiles(const Environment& env) {
  SharedFileLocations out;
  std::optional<std::string> home = env.HomeDir();
  if (std::optional<std::string> p = env.GetNonBlank("AWS_CONFIG_FILE")) {
    out.config = env.ExpandHome(*p);
  } else if (home) {
    out.config = *home + "/.aws/config";
  }
  if (std::optional<std::string> p = env.GetNonBlank("AWS_SHARED_CREDENTIALS_FILE")) {
    out.credentials = env.ExpandHome(*p);
  } else if (home) {
    out.credentials = *home + "/.aws/credentials";
  }
  return out;
}

Result<SharedConfig> LoadSharedConfig(const Environment& env,
                                      const std::optional<std::string>& profile_override) {
  SharedConfig cfg;
  cfg.files = LocateSharedFiles(env);
  if (profile_override && !profile_override->empty()) {
    cfg.profile_name = *profile_override;
    cfg.profile_source = "override";
  } else if (std::optional<std::string> p = env.GetNonBlank("AWS_PROFILE")) {
    cfg.profile_name = *p;
    cfg.profile_source = "AWS_PROFILE";
  } else if (std::optional<std::string> d = env.GetNonBlank("AWS_DEFAULT_PROFILE")) {
    cfg.profile_name = *d;
    cfg.profile_source = "AWS_DEFAULT_PROFILE";
  }
  Status st = MergeFile(env, cfg.files.config, ProfileFileKind::kConfig, cfg.profiles);
  if (st.ok())
    st = MergeFile(env, cfg.files.credentials, ProfileFileKind::kCredentials, cfg.profiles);
  if (!st.ok()) return std::move(st).error();
  if (cfg.profile_source != "default" && cfg.Selected() == nullptr) {
    std::string where =
        cfg.files.config.empty() && cfg.files.credentials.empty()
            ? "no shared config file is known (HOME is not set)"
            : "it is not defined in " + cfg.files.config + " or " + cfg.files.credentials;
    return Error(ErrorCode::kInvalidInput, "profile '" + cfg.profile_name + "' (from " +
                                               cfg.profile_source + ") not found: " + where);
  }
  return cfg;
}

}  // namespace s3us::aws

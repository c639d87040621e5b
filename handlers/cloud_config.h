// Cloud-config passthrough: text/cloud-config parts are copied byte-exact (never parsed or
// rewritten) into the cloud-config directory (default /etc/cloud/cloud.cfg.d, set by the
// dispatcher's cloud_config_dir) as 90-s3-user-script-NNN.cfg, NNN = Plan index, so
// cloud-init's sorted read follows document order. Files are 0600, O_EXCL|O_NOFOLLOW.
//
// cloud-init reads only *.cfg there, as YAML. So text/cloud-config-jsonp parts are written
// beside as 90-s3-user-script-NNN.jsonp with a warning that cloud-init does not read them
// there. Jinja templates are not ours (handlers/jinja.h).
//
// Every run rewrites the files (frequency "always"); after a run that processed every part,
// files with our prefix that this run did not write are removed, so a part removed from
// the user data stops applying. The directory is created 0755 if missing; a symlink, a
// non-directory, another owner or group/other write access there is kUnsafePath.
#ifndef S3US_HANDLERS_CLOUD_CONFIG_H_
#define S3US_HANDLERS_CLOUD_CONFIG_H_

#include <set>
#include <string>

#include "run/handler.h"

namespace s3us::handlers {

inline constexpr const char* kCloudConfigPrefix = "90-s3-user-script-";

class CloudConfigHandler : public run::Handler {
 public:
  std::string_view name() const override { return "cloud-config"; }
  std::vector<std::string> content_types() const override;
  run::Frequency FrequencyFor(const userdata::Part&) const override {
    return run::Frequency::kAlways;
  }
  Status Begin(run::HandlerContext& ctx) override;
  Result<run::Outcome> Handle(const userdata::Part& part, run::HandlerContext& ctx) override;
  Status End(run::HandlerContext& ctx, bool completed) override;

 private:
  std::set<std::string> written_;
};

}  // namespace s3us::handlers

#endif  // S3US_HANDLERS_CLOUD_CONFIG_H_

// Boothooks (text/cloud-boothook): run before every other part, once per boot, as
// cloud-init does: the "#cloud-boothook" line is stripped (see BoothookScript), the rest is
// written to the run's private boothooks directory (NNN-<safe filename>, 0700) and executed
// directly with INSTANCE_ID in the environment. A boothook without a #! line after the
// prefix fails with "cannot execute", as it does under cloud-init.
#ifndef S3US_HANDLERS_BOOTHOOK_H_
#define S3US_HANDLERS_BOOTHOOK_H_

#include "run/handler.h"

namespace s3us::handlers {

class BoothookHandler : public run::Handler {
 public:
  std::string_view name() const override { return "boothook"; }
  std::vector<std::string> content_types() const override;
  run::Phase phase() const override { return run::Phase::kBoothook; }
  bool runs_program() const override { return true; }
  run::Frequency FrequencyFor(const userdata::Part&) const override {
    return run::Frequency::kPerBoot;
  }
  Result<run::Outcome> Handle(const userdata::Part& part, run::HandlerContext& ctx) override;
};

}  // namespace s3us::handlers

#endif  // S3US_HANDLERS_BOOTHOOK_H_

// text/jinja2 parts ("## template: jinja" first line): cloud-init renders them with the
// instance's data before handing the result to the handler of the rendered type. We do not
// render jinja, and an unrendered template must never run or be applied, so every such part
// is reported as skipped with one clear line ("part 2 of 5 (text/jinja2, filename x):
// skipped: jinja template (text/x-shellscript) not rendered …"); nothing is written or executed.
// Through the cloud-init bridge the part reaches cloud-init's own jinja handler instead.
#ifndef S3US_HANDLERS_JINJA_H_
#define S3US_HANDLERS_JINJA_H_

#include <string>

#include "run/handler.h"

namespace s3us::handlers {

class JinjaHandler : public run::Handler {
 public:
  std::string_view name() const override { return "jinja"; }
  std::vector<std::string> content_types() const override;
  run::Frequency FrequencyFor(const userdata::Part&) const override {
    return run::Frequency::kAlways;
  }
  Result<run::Outcome> Handle(const userdata::Part& part, run::HandlerContext& ctx) override;
};

// The content type the template body (after its "## template: jinja" line) would have once
// rendered, by cloud-init's starts-with rule on the unrendered text ("text/x-shellscript",
// "text/cloud-config", …), or "" when its first line names no known type.
std::string JinjaTemplateKind(std::string_view payload);

}  // namespace s3us::handlers

#endif  // S3US_HANDLERS_JINJA_H_

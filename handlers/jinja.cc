#include "handlers/jinja.h"

#include "userdata/content_type.h"
#include "userdata/part.h"

namespace s3us::handlers {

std::string JinjaTemplateKind(std::string_view payload) {
  size_t nl = payload.find('\n');
  std::string_view body = nl == std::string_view::npos ? "" : payload.substr(nl + 1);
  return userdata::TypeFromStartsWith(body, /*must_be_utf8=*/false).value_or("");
}

std::vector<std::string> JinjaHandler::content_types() const { return {userdata::kTypeJinja2}; }

Result<run::Outcome> JinjaHandler::Handle(const userdata::Part& part, run::HandlerContext&) {
  // Its kind is named by the line after the first, which may be anywhere: read it whole.
  Result<userdata::PayloadView> text = part.payload.View(part.payload.size());
  if (!text.ok()) return text.error();
  std::string kind = JinjaTemplateKind(text->bytes());
  run::Outcome outcome;
  outcome.kind = run::OutcomeKind::kSkipped;
  outcome.message = "jinja template" + (kind.empty() ? "" : " (" + kind + ")") +
                    " not rendered: s3-user-script does not render jinja; cloud-init does, "
                    "through the bridge";
  return outcome;
}

}  // namespace s3us::handlers

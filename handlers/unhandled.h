// Parts nothing here runs: text/part-handler (Python code; never executed),
// text/upstart-job, include and archive types that reached the run layer unexpanded, plain
// text, and every unknown type (the registry's fallback). Each is reported as skipped with
// cloud-init's kind of warning ("part 4 of 7 (text/x-foo, filename x): skipped: unhandled
// content type"); nothing is written or executed.
#ifndef S3US_HANDLERS_UNHANDLED_H_
#define S3US_HANDLERS_UNHANDLED_H_

#include "run/handler.h"

namespace s3us::handlers {

class UnhandledHandler : public run::Handler {
 public:
  // `types`: the content types this instance is registered for (empty for the fallback).
  explicit UnhandledHandler(std::vector<std::string> types = {}) : types_(std::move(types)) {}
  std::string_view name() const override { return "unhandled"; }
  std::vector<std::string> content_types() const override { return types_; }
  run::Frequency FrequencyFor(const userdata::Part&) const override {
    return run::Frequency::kAlways;
  }
  Result<run::Outcome> Handle(const userdata::Part& part, run::HandlerContext& ctx) override;

 private:
  std::vector<std::string> types_;
};

}  // namespace s3us::handlers

#endif  // S3US_HANDLERS_UNHANDLED_H_

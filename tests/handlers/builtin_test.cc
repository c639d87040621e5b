#include "handlers/builtin.h"

#include <catch2/catch.hpp>

#include "handlers/shell_script.h"
#include "tests/run/run_test_util.h"

namespace s3us::handlers {
namespace {

TEST_CASE("RegisterBuiltinHandlers maps every content type to its handler and frequency") {
  run::Registry registry;
  REQUIRE(RegisterBuiltinHandlers(registry).ok());
  struct Row {
    const char* type;
    const char* handler;
    run::Frequency frequency;
  };
  const Row rows[] = {
      {"text/x-shellscript", "shell-script", run::Frequency::kPerInstance},
      {"application/x-executable", "shell-script", run::Frequency::kPerInstance},
      {"text/x-shellscript-per-boot", "shell-script", run::Frequency::kPerBoot},
      {"text/x-shellscript-per-instance", "shell-script", run::Frequency::kPerInstance},
      {"text/x-shellscript-per-once", "shell-script", run::Frequency::kPerOnce},
      {"TEXT/X-SHELLSCRIPT", "shell-script", run::Frequency::kPerInstance},
      {"text/cloud-boothook", "boothook", run::Frequency::kPerBoot},
      {"text/cloud-config", "cloud-config", run::Frequency::kAlways},
      {"text/cloud-config-jsonp", "cloud-config", run::Frequency::kAlways},
      {"text/jinja2", "jinja", run::Frequency::kAlways},
      {"text/part-handler", "unhandled", run::Frequency::kAlways},
      {"text/upstart-job", "unhandled", run::Frequency::kAlways},
      {"text/x-include-url", "unhandled", run::Frequency::kAlways},
      {"text/x-include-once-url", "unhandled", run::Frequency::kAlways},
      {"text/x-s3-include", "unhandled", run::Frequency::kAlways},
      {"text/cloud-config-archive", "unhandled", run::Frequency::kAlways},
      {"text/plain", "unhandled", run::Frequency::kAlways},
      {"text/x-not-multipart", "unhandled", run::Frequency::kAlways},
      {"application/octet-stream", "unhandled", run::Frequency::kAlways},
  };
  for (const Row& row : rows) {
    INFO(row.type);
    run::Handler* h = registry.Find(row.type);
    REQUIRE(h != nullptr);
    CHECK(h->name() == row.handler);
    userdata::Part part = testing::MakePart(1, row.type, "f", "");
    CHECK(h->FrequencyFor(part) == row.frequency);
    CHECK((h->phase() == run::Phase::kBoothook) == (h->name() == "boothook"));
    CHECK(h->runs_program() == (h->name() == "shell-script" || h->name() == "boothook"));
  }
}

TEST_CASE("Registry refuses a content type registered twice") {
  run::Registry registry;
  REQUIRE(RegisterBuiltinHandlers(registry).ok());
  Status again = registry.Add(std::make_unique<ShellScriptHandler>());
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code() == ErrorCode::kInternal);
}

TEST_CASE("Unhandled parts are skipped with the reason") {
  run::Registry registry;
  REQUIRE(RegisterBuiltinHandlers(registry).ok());
  run::HandlerContext ctx;
  for (const char* type : {"text/x-foo", "text/upstart-job"}) {
    Result<run::Outcome> out =
        registry.Find(type)->Handle(testing::MakePart(1, type, "x", "#!/bin/sh\n"), ctx);
    REQUIRE(out.ok());
    CHECK(out->kind == run::OutcomeKind::kSkipped);
    CHECK(out->message == "unhandled content type");
  }
}

}  // namespace
}  // namespace s3us::handlers

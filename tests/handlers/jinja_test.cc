#include "handlers/jinja.h"

#include <catch2/catch.hpp>
#include <filesystem>

#include "tests/run/run_test_util.h"

namespace s3us::handlers {
namespace {

namespace fs = std::filesystem;
using testing::MakePart;
using testing::TempDir;

TEST_CASE("JinjaHandler skips every template unrendered and says so, writing nothing") {
  struct Case {
    std::string payload, message;
  };
  const std::string tail =
      " not rendered: s3-user-script does not render jinja; cloud-init does, through the "
      "bridge";
  const Case cases[] = {
      {"## template: jinja\n#!/bin/sh\necho {{ v1.instance_id }}\n",
       "jinja template (text/x-shellscript)" + tail},
      {"## template: jinja\n  #Cloud-Config\nhostname: {{ v1.instance_id }}\n",
       "jinja template (text/cloud-config)" + tail},
      {"## template: jinja\n#cloud-boothook\n#!/bin/sh\n",
       "jinja template (text/cloud-boothook)" + tail},
      {"## template: jinja\nplain {{ x }}\n", "jinja template" + tail},
      {"## template: jinja", "jinja template" + tail},
  };
  for (bool dry_run : {false, true}) {
    for (const Case& c : cases) {
      TempDir t;
      run::HandlerContext ctx;
      ctx.paths.cloud_config_dir = t / "cloud.cfg.d";
      ctx.part_count = 1;
      ctx.dry_run = dry_run;
      JinjaHandler h;
      Result<run::Outcome> out = h.Handle(MakePart(1, "text/jinja2", "j", c.payload), ctx);
      INFO(c.payload);
      REQUIRE(out.ok());
      CHECK(out->kind == run::OutcomeKind::kSkipped);
      CHECK(out->message == c.message);
      CHECK(fs::is_empty(t.path));
    }
  }
}

TEST_CASE("JinjaTemplateKind follows cloud-init's starts-with rule on the template body") {
  CHECK(JinjaTemplateKind("## template: jinja\n#cloud-config\na: 1\n") == "text/cloud-config");
  CHECK(JinjaTemplateKind("## template: jinja\n#cloud-config-jsonp\n[]") ==
        "text/cloud-config-jsonp");
  CHECK(JinjaTemplateKind("## template: jinja\n#!/bin/sh\n") == "text/x-shellscript");
  CHECK(JinjaTemplateKind("## template: jinja\nhello\n") == "");
}

}  // namespace
}  // namespace s3us::handlers

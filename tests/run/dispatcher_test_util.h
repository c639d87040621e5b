// A dispatcher wired with the built-in handlers, a fake clock and captured output, in a
// temp dir; scripts append their name to <tmp>/trace so tests see what ran, in order.
#ifndef S3US_TESTS_RUN_DISPATCHER_TEST_UTIL_H_
#define S3US_TESTS_RUN_DISPATCHER_TEST_UTIL_H_

#include <catch2/catch.hpp>
#include <memory>

#include "handlers/builtin.h"
#include "run/dispatcher.h"
#include "tests/fakes/fake_clock.h"
#include "tests/run/run_test_util.h"

namespace s3us::testing {

struct DispatchFixture {
  DispatchFixture() {
    REQUIRE(handlers::RegisterBuiltinHandlers(registry).ok());
    facts.instance_id = "i-0abc";
    facts.region = "eu-west-1";
    options.state_dir = t / "state";
    options.cloud_config_dir = t / "cloud.cfg.d";
    options.boot_id = "boot-1";
    options.self_path = t / "bin/s3-user-script";
    options.console = [this](int s, std::string_view b) { (*console)(s, b); };
  }

  // A script that appends `name` to the trace file, then exits with `status`.
  userdata::Part Traced(const std::string& name, int status = 0,
                        const std::string& type = userdata::kTypeShellScript) {
    return MakePart(0, type, name,
                    "#!/bin/sh\necho " + name + " >> " + t.path + "/trace\nexit " +
                        std::to_string(status) + "\n");
  }
  std::string Trace() { return Slurp(t / "trace"); }

  Result<run::Report> Run(const expand::Plan& plan) {
    run::Dispatcher dispatcher(registry, clock);
    return dispatcher.Run(plan, facts, options);
  }

  TempDir t;
  run::Registry registry;
  FakeClock clock;
  std::shared_ptr<Console> console = std::make_shared<Console>();
  InstanceFacts facts;
  run::DispatchOptions options;
};

inline std::vector<std::string> Outcomes(const run::Report& report) {
  std::vector<std::string> out;
  for (const auto& r : report.parts) out.emplace_back(run::OutcomeName(r.outcome.kind));
  return out;
}

}  // namespace s3us::testing

#endif  // S3US_TESTS_RUN_DISPATCHER_TEST_UTIL_H_

// Builds the plan that `plan`, `resolve`, `run`, `replay` and the predecessor's `-b` form
// act on: services, user data (FILE, IMDS or a given blob), parse, expand, cloud-config
// checks. Failures are printed here, one line each; the caller gets the exit code.
#ifndef S3US_CLI_PLAN_BUILDER_H_
#define S3US_CLI_PLAN_BUILDER_H_

#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "cli/options.h"
#include "cli/services.h"
#include "expand/expander.h"

namespace s3us::cli {

// A private temp directory we made: removed on every way out if nothing was written in it
// (a failed plan, a dry run), kept with its logs and report otherwise.
class OwnTempDir {
 public:
  explicit OwnTempDir(std::string path) : path_(std::move(path)) {}
  OwnTempDir(const OwnTempDir&) = delete;
  OwnTempDir& operator=(const OwnTempDir&) = delete;
  ~OwnTempDir();

 private:
  std::string path_;
};

struct Planned {
  std::unique_ptr<Services> services;
  expand::Plan plan;
};

// Everything up to the Plan. `user_data_override`, when not empty, is planned instead of
// FILE or IMDS; `state_dir`, when given, holds the #include-once cache and the work
// directory. On failure the error lines are printed and the exit code is returned.
// `learnt`, when given, receives what was learnt of the instance, also when planning
// failed (a failed run's report names it).
std::variant<Planned, int> BuildPlan(const Options& o, std::string user_data_override = "",
                                     const std::string& state_dir = "",
                                     InstanceFacts* learnt = nullptr);

// Exit code when expansion left no plan: the worst of ExitCodeFor over the failures
// (kExitSetup when credentials or instance metadata are missing, as for `get`), at least
// kExitFetch.
int ExitCodeForExpandFailures(const std::vector<expand::ExpandFailure>& failures);

}  // namespace s3us::cli

#endif  // S3US_CLI_PLAN_BUILDER_H_

// Expander: turns the parsed top-level parts into a Plan. Include parts (#s3-include,
// #include, #include-once) are replaced in place by the parts of the objects they name,
// recursively, so the Plan is in depth-first document order. Fetching is the Fetcher's
// business; parsing fetched objects is userdata::Parse's.
//
// Includes are fetched concurrently (at most max_parallel at a time), an object's own
// includes as soon as it has arrived, with no wait for the rest of its depth; the Plan's
// order never depends on which fetch finishes first (expansion.h). Fail closed: when any
// include fails there is no Plan, only one failure per failed include of the shallowest
// failing depth — unless keep_going, which drops failed includes and marks the Plan
// incomplete.
// Thread-safety: one Expand() at a time per Expander; it calls Fetcher::Fetch concurrently.
#ifndef S3US_EXPAND_EXPANDER_H_
#define S3US_EXPAND_EXPANDER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/instance.h"
#include "expand/key_template.h"
#include "expand/plan.h"
#include "fetch/fetcher.h"
#include "userdata/parse.h"
#include "userdata/part.h"

namespace s3us::expand {

// Each limit, when hit, is a kLimitExceeded failure naming it.
struct ExpandLimits {
  int max_depth = 8;      // nested includes; a top-level include is depth 1
  int max_parts = 1000;   // parts in the Plan
  int max_objects = 256;  // distinct objects fetched (URL + version)
  // Fetched + read from the include-once cache, counted at every position that uses them.
  uint64_t max_total_bytes = 256ull << 20;
  uint64_t max_object_bytes = 64ull << 20;  // one fetched object
};

struct ExpandOptions {
  ExpandLimits limits;
  int max_parallel = 16;  // concurrent fetches
  // Key for bucket-only #s3-include entries ("my-bucket"); see key_template.h.
  std::string key_template = kDefaultKeyTemplate;
  // Per-instance directory for #include-once bodies; empty: no cache (always fetch).
  std::string include_once_cache_dir;
  // Read the cache but write nothing to it (a dry run shows the bodies a run would use).
  bool include_once_read_only = false;
  // Private (0700) directory where fetched bodies over SpillSink::kInMemoryBytes are kept
  // as anonymous files (body_sink.h); empty: every body stays in memory.
  std::string work_dir;
  // Drop failed includes instead of failing; the Plan is then marked incomplete.
  bool keep_going = false;
  // The command's one deadline (--deadline): bounds the whole expansion, every fetch
  // included; unset: no bound.
  Deadline deadline;
  // How fetched objects are parsed (gzip, MIME, starts-with typing). Its input limit is
  // raised to limits.max_object_bytes: an object the fetch accepted is parsed whole.
  userdata::ParseOptions parse;
  // Told the number of distinct objects asked of the fetcher so far, queued ones included,
  // whenever it grows (a progress line's total); called on the thread that runs Expand().
  std::function<void(size_t)> objects_asked;
};

// One include that could not be expanded, or a whole-expansion limit.
struct ExpandFailure {
  std::string where;  // "part 2 line 3", "part 2 line 1 → s3://a/x line 3"; empty: whole plan
  std::string url;    // the entry, redacted (role-default key filled in); may be empty
  Error error;
  // "part 2 line 3 (s3://b/missing): fetching s3://b/missing: NoSuchKey: …"
  std::string ToString() const;
};

// The one error line of a failed expansion: the first failure (the shallowest, in document
// order) and how many more there were: "… (and 3 more failed includes; -v lists them)".
std::string FailureSummary(const std::vector<ExpandFailure>& failures);

// The lines that list `failures` (at -v): the first `shown` in full, then one
// "and N more failed includes" line, so that no input can flood a boot log.
std::vector<std::string> FailureLines(const std::vector<ExpandFailure>& failures,
                                      size_t shown = 10);

struct ExpandResult {
  // Absent when anything failed (fail closed). With keep_going it is present even after
  // include failures, with plan->complete == false. Whole-expansion limits (parts, total
  // bytes, deadline) always leave no Plan.
  std::optional<Plan> plan;
  // Document order. Non-empty whenever plan is absent or incomplete.
  std::vector<ExpandFailure> failures;
};

class Expander {
 public:
  // fetcher and clock must outlive the Expander.
  Expander(fetch::Fetcher& fetcher, Clock& clock, InstanceFacts facts, ExpandOptions options = {});

  // Top-level parts as userdata::Parse returned them (Part::index = position in the user
  // data). Failure codes: those of the fetcher, kCycle, kLimitExceeded, kInvalidInput (bad
  // include line, bad key template, unparsable object), kTimeout.
  ExpandResult Expand(std::vector<userdata::Part> parts);

 private:
  fetch::Fetcher& fetcher_;
  Clock& clock_;
  InstanceFacts facts_;
  ExpandOptions options_;
};

}  // namespace s3us::expand

#endif  // S3US_EXPAND_EXPANDER_H_

// Plan: the ordered list of parts to dispatch. Every part in it arrived whole and passed
// verification. A Plan is complete unless the caller asked the expander to keep going past
// failed includes (ExpandOptions::keep_going): then `complete` is false, `omitted` says
// what was dropped, and such a Plan must never run unless the user explicitly asked for
// it. The dispatcher (run/) only ever receives a Plan — that is what makes "nothing fetched
// runs unless the whole plan arrived complete and verified" structural.
#ifndef S3US_EXPAND_PLAN_H_
#define S3US_EXPAND_PLAN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "userdata/part.h"

namespace s3us::expand {

struct Plan {
  // Depth-first document order, include parts replaced in place by what they fetched.
  // Part::index is the 1-based position in this list.
  std::vector<userdata::Part> parts;
  int objects_fetched = 0;  // fetched over the network (include-once cache hits excluded)
  uint64_t bytes_fetched = 0;
  double fetch_ms = 0;  // wall time of the whole expansion

  // False when failed includes were dropped (keep_going); see the header comment.
  bool complete = true;
  // One line per dropped include ("part 2 line 3 (s3://b/k): fetching s3://b/k: …").
  std::vector<std::string> omitted;
  // #include-once bodies fetched for this plan, staged in the cache: kept by
  // CommitIncludeOnce once the plan is accepted (expand/include_once_cache.h).
  std::vector<std::string> include_once_staged;
};

}  // namespace s3us::expand

#endif  // S3US_EXPAND_PLAN_H_

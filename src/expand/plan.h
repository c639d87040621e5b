// Plan: the complete, ordered list of parts to dispatch. Every part in it arrived whole and
// passed verification; there is no such thing as a partial Plan. The dispatcher (run/)
// only ever receives a Plan — that is what makes "nothing fetched runs unless the whole
// plan arrived complete and verified" structural.
#ifndef S3US_EXPAND_PLAN_H_
#define S3US_EXPAND_PLAN_H_

#include <cstdint>
#include <vector>

#include "userdata/part.h"

namespace s3us::expand {

struct Plan {
  // Depth-first document order, include parts replaced in place by what they fetched.
  // Part::index is the 1-based position in this list.
  std::vector<userdata::Part> parts;
  int objects_fetched = 0;
  uint64_t bytes_fetched = 0;
  double fetch_ms = 0;  // wall time of the whole expansion
};

}  // namespace s3us::expand

#endif  // S3US_EXPAND_PLAN_H_

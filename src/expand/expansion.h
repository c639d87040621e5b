// Expansion: the state of one Expander::Expand() call and its scheduler. There is no
// barrier per include level: an object's includes are fetched as soon as that object has
// arrived, verified and parsed, while its siblings are still in flight. The Plan's order and
// the failures reported never depend on which fetch finishes first: the tree is flattened
// in document order at the end, and fail closed reports the failures of the shallowest
// failing level only (nothing below it is started once it is known). Limits are checked
// whenever the tree grows, and a limit or the deadline ends the run at once.
#ifndef S3US_EXPAND_EXPANSION_H_
#define S3US_EXPAND_EXPANSION_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/instance.h"
#include "expand/expander.h"
#include "expand/include_once_cache.h"
#include "expand/include_tree.h"
#include "expand/job_pool.h"
#include "expand/object_slot.h"
#include "fetch/fetcher.h"

namespace s3us::expand {

class Expansion {
 public:
  Expansion(fetch::Fetcher& fetcher, Clock& clock, const InstanceFacts& facts,
            const ExpandOptions& options);

  ExpandResult Run(std::vector<userdata::Part> parts);

 private:
  // Each returns the error that ends the whole run (a limit, the deadline), if any.
  std::optional<Error> Schedule();
  std::optional<Error> Arrived(ObjectSlot& slot);
  std::optional<Error> Settle(EntryNode& entry, const ObjectSlot& slot);
  ObjectSlot& SlotFor(const EntryNode& entry, bool& is_new);
  void Submit(ObjectSlot& slot);
  void FetchJob(ObjectSlot& slot);  // on a pool thread: touches only slot and the floor
  std::optional<Error> Bounds() const;
  Error TotalBytesError() const;
  Error DeadlineError(const ObjectSlot& slot) const;
  static ExpandResult Fatal(Error error);

  fetch::Fetcher& fetcher_;
  Clock& clock_;
  const ExpandOptions& options_;
  TreeBuilder builder_;
  IncludeOnceCache cache_;
  Deadline deadline_;
  std::vector<EntryNode*> discovered_;  // positions found and not yet given a slot
  int pending_positions_ = 0;           // positions found and not yet settled
  size_t objects_requested_ = 0;        // distinct objects sent to the fetcher, failed ones too
  int objects_fetched_ = 0;
  uint64_t bytes_fetched_ = 0;  // over the network
  uint64_t plan_bytes_ = 0;     // bytes at every position that uses them
  PlanFloor plan_floor_;
  std::map<std::string, std::unique_ptr<ObjectSlot>> slots_;
  std::vector<ObjectSlot*> by_job_;  // JobPool job id → slot
  size_t in_flight_ = 0;
  JobPool pool_;  // last: destroyed first, its threads still touch the slots
};

}  // namespace s3us::expand

#endif  // S3US_EXPAND_EXPANSION_H_

// ObjectSlot: one object (URL + version, pin, trust, #include-once or not) of an expansion,
// fetched or read from the include-once cache once, parsed once, and used at every position
// that names it. The functions here fill a slot; which slot is fetched when is the
// Expansion's business (expansion.h).
#ifndef S3US_EXPAND_OBJECT_SLOT_H_
#define S3US_EXPAND_OBJECT_SLOT_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "expand/include_once_cache.h"
#include "expand/include_tree.h"
#include "fetch/fetcher.h"
#include "userdata/parse.h"
#include "userdata/part.h"

namespace s3us::expand {

// A lower bound of a plan's size, shared by the fetch threads: the objects fetched or read,
// and what gzip objects hold beyond their size, counted as it is gunzipped. Once over the
// limit (--max-total-bytes) it stays over: the plan fails on that limit.
class PlanFloor {
 public:
  explicit PlanFloor(uint64_t limit) : limit_(limit) {}
  // False when the floor is then over the limit.
  bool Add(uint64_t n);
  void Remove(uint64_t n) { bytes_ -= n; }
  bool over() const { return over_; }

 private:
  const uint64_t limit_;
  std::atomic<uint64_t> bytes_{0};
  std::atomic<bool> over_{false};
};

struct ObjectSlot {
  fetch::Target target;
  std::string shown;
  std::optional<std::string> sha256;
  SignersPtr signers;
  std::optional<std::string> signer;
  bool once = false;

  bool done = false;     // fetched, read from the cache, or failed: its positions may settle
  bool fetched = false;  // over the network, as opposed to from the include-once cache
  std::optional<Error> error;
  std::optional<userdata::Source> source;
  userdata::Payload body;  // kept only until the include-once cache has it
  std::string signature;   // the signature that verified a fetched body, for the cache
  std::optional<Result<std::vector<userdata::Part>>> parsed;
  // What each position adds to the plan's size (--max-total-bytes): the object's bytes, or
  // its parts' when more (a gzip object), so a small gzip bomb cannot grow a plan unseen.
  uint64_t plan_bytes = 0;
  std::vector<EntryNode*> waiting;  // positions that settle when the slot is done
};

// Positions that name the same object with the same pin and the same trust share one slot;
// #include-once positions read the cache first, so they never share one with plain ones.
std::string SlotKey(const EntryNode& entry);
ObjectSlot NewSlot(const EntryNode& entry);

// Fills slot from the cache when it holds a body that verifies or fails the slot; leaves it
// untouched on a miss. The cached file streams through the same verifier as a fetched body
// (size limit, pin) into work_dir (empty: memory). When trust applies to the slot
// (fetcher.VerifyKept), the body counts only if the signature kept with it verifies it
// under that trust now; otherwise it is a miss, and the object is fetched and checked as
// any other.
void ReadFromCache(ObjectSlot& slot, const IncludeOnceCache& cache, fetch::Fetcher& fetcher,
                   uint64_t max_object_bytes, const std::string& work_dir);

// Fetches slot's object into slot (body, source, or error); a large body goes to a file in
// work_dir (empty: memory). Thread-safe per slot.
void FetchInto(ObjectSlot& slot, fetch::Fetcher& fetcher, fetch::FetchOptions options,
               const std::string& work_dir);

// Parses the body into slot.parsed (a fetched object's encodings must decode); what a gzip
// object holds goes to a file in work_dir when large (empty: memory). The body stays for
// the include-once cache. Thread-safe per slot.
// `floor` already counts the body; what the object's gunzips produce beyond it is added as
// it is produced, and a gunzip stops once the floor is over (so a gzip bomb writes about
// what was left of the limit, not up to the 64 MiB per-object limit, before the plan's
// size fails it); then the count becomes what the object adds to the plan.
void ParseSlot(ObjectSlot& slot, userdata::ParseOptions parse, const std::string& work_dir,
               PlanFloor& floor);

}  // namespace s3us::expand

#endif  // S3US_EXPAND_OBJECT_SLOT_H_

#include "expand/expansion.h"

#include <chrono>
#include <utility>

#include "core/log.h"
#include "core/strings.h"
#include "expand/include_chain.h"

namespace s3us::expand {

Expansion::Expansion(fetch::Fetcher& fetcher, Clock& clock, const InstanceFacts& facts,
                     const ExpandOptions& options)
    : fetcher_(fetcher),
      clock_(clock),
      options_(options),
      builder_(facts, options),
      cache_(options.include_once_cache_dir, options.include_once_read_only),
      deadline_(options.deadline),
      plan_floor_(options.limits.max_total_bytes),
      pool_(options.max_parallel) {}

// A whole-expansion limit or the deadline: the run ends here with that one failure;
// include failures found so far would only bury it.
ExpandResult Expansion::Fatal(Error error) {
  ExpandResult result;
  result.failures.push_back(ExpandFailure{"", "", std::move(error)});
  return result;
}

Error Expansion::TotalBytesError() const {
  return Error(ErrorCode::kLimitExceeded, "includes exceed the total size limit of " +
                                              HumanBytes(options_.limits.max_total_bytes) +
                                              " (--max-total-bytes)");
}

// The deadline ends the run at `slot`: the one line names its first position, as every other
// include failure does, and keeps the cause its fetch ended with, if it was fetched.
Error Expansion::DeadlineError(const ObjectSlot& slot) const {
  std::string message = "includes not expanded before the deadline";
  if (slot.error) message += ": " + slot.error->ToString();
  Error error(ErrorCode::kTimeout, std::move(message));
  if (slot.waiting.empty()) return std::move(error).WithContext(slot.shown);
  const EntryNode& entry = *slot.waiting.front();
  return Error(ErrorCode::kTimeout,
               ExpandFailure{DescribeChain(entry.chain), entry.shown, std::move(error)}.ToString());
}

// Every position still to expand will be at least one part of the plan: the parts limit
// is checked on that lower bound before anything more is fetched.
std::optional<Error> Expansion::Bounds() const {
  const ExpandLimits& limits = options_.limits;
  if (plan_bytes_ > limits.max_total_bytes) return TotalBytesError();
  if (static_cast<uint64_t>(builder_.leaf_parts()) + static_cast<uint64_t>(pending_positions_) >
      static_cast<uint64_t>(limits.max_parts)) {
    return Error(ErrorCode::kLimitExceeded, "the plan exceeds the limit of " +
                                                std::to_string(limits.max_parts) +
                                                " parts (--max-parts)");
  }
  return std::nullopt;
}

ObjectSlot& Expansion::SlotFor(const EntryNode& entry, bool& is_new) {
  std::unique_ptr<ObjectSlot>& slot = slots_[SlotKey(entry)];
  is_new = slot == nullptr;
  if (is_new) slot = std::make_unique<ObjectSlot>(NewSlot(entry));
  return *slot;
}

// Gives each newly found position its slot: a new object is read from the include-once
// cache or fetched; a position whose object is already here settles at once (which may
// find more positions).
std::optional<Error> Expansion::Schedule() {
  while (!discovered_.empty()) {
    std::vector<EntryNode*> batch = std::move(discovered_);
    discovered_.clear();
    std::vector<ObjectSlot*> to_fetch;
    std::vector<std::pair<EntryNode*, ObjectSlot*>> ready;
    for (EntryNode* entry : batch) {
      // Fail closed: below the shallowest failure nothing is reported, so nothing starts.
      if (!options_.keep_going && entry->depth > builder_.failure_level()) {
        --pending_positions_;
        continue;
      }
      bool is_new = false;
      ObjectSlot& slot = SlotFor(*entry, is_new);
      // Under trust, a cached body counts only if its kept signature verifies it now.
      if (is_new && slot.once && cache_.enabled()) {
        ReadFromCache(slot, cache_, fetcher_, options_.limits.max_object_bytes, options_.work_dir);
        if (slot.source && plan_floor_.Add(slot.body.size())) {
          ParseSlot(slot, options_.parse, options_.work_dir, plan_floor_);
        }
        if (plan_floor_.over()) return TotalBytesError();
        slot.body = userdata::Payload();
        slot.done = slot.error || slot.source;
      }
      if (is_new && !slot.done) to_fetch.push_back(&slot);
      if (slot.done) {
        ready.emplace_back(entry, &slot);
      } else {
        slot.waiting.push_back(entry);
      }
    }
    objects_requested_ += to_fetch.size();
    if (objects_requested_ > static_cast<size_t>(options_.limits.max_objects)) {
      return Error(ErrorCode::kLimitExceeded, "the includes name more than " +
                                                  std::to_string(options_.limits.max_objects) +
                                                  " objects (--max-objects)");
    }
    if (!to_fetch.empty() && deadline_.Expired(clock_)) return DeadlineError(*to_fetch.front());
    if (!to_fetch.empty() && options_.objects_asked) options_.objects_asked(objects_requested_);
    if (!to_fetch.empty()) {
      LogDebug("fetching " + std::to_string(to_fetch.size()) + " object(s) at depth " +
               std::to_string(batch.front()->depth) + ", " + std::to_string(in_flight_) +
               " in flight");
    }
    for (ObjectSlot* slot : to_fetch) Submit(*slot);
    for (auto [entry, slot] : ready) {
      if (std::optional<Error> fatal = Settle(*entry, *slot)) return fatal;
    }
  }
  return std::nullopt;
}

void Expansion::Submit(ObjectSlot& slot) {
  size_t id = pool_.Submit([this, &slot] { FetchJob(slot); });
  if (by_job_.size() <= id) by_job_.resize(id + 1);
  by_job_[id] = &slot;
  ++in_flight_;
}

void Expansion::FetchJob(ObjectSlot& slot) {
  // Left unfetched: the whole expansion is about to fail on the total size limit.
  if (plan_floor_.over()) return;
  fetch::FetchOptions fetch_options;
  fetch_options.expected_sha256 = slot.sha256;
  fetch_options.max_bytes = options_.limits.max_object_bytes;
  fetch_options.deadline = deadline_;
  fetch_options.signers = slot.signers.get();
  fetch_options.signer = slot.signer;
  FetchInto(slot, fetcher_, std::move(fetch_options), options_.work_dir);
  if (slot.error) return;
  if (plan_floor_.Add(slot.body.size())) {
    ParseSlot(slot, options_.parse, options_.work_dir, plan_floor_);
  }
}

// Back on the coordinating thread: the object is counted and cached, then every position
// waiting for it settles, before anything more is fetched.
std::optional<Error> Expansion::Arrived(ObjectSlot& slot) {
  --in_flight_;
  slot.done = true;
  if (plan_floor_.over()) return TotalBytesError();
  if (slot.error && slot.error->code() == ErrorCode::kTimeout && deadline_.Expired(clock_)) {
    return DeadlineError(slot);
  }
  if (slot.fetched) {
    ++objects_fetched_;
    bytes_fetched_ += slot.body.size();
    if (slot.once && cache_.enabled()) {
      if (Status s = cache_.Store(slot.target.url, slot.body, slot.signature); !s.ok()) {
        LogWarning(slot.shown + ": " + s.error().ToString());
      }
    }
  }
  slot.body = userdata::Payload();
  slot.signature.clear();
  std::vector<EntryNode*> waiting = std::move(slot.waiting);
  slot.waiting.clear();
  for (EntryNode* entry : waiting) {
    if (std::optional<Error> fatal = Settle(*entry, slot)) return fatal;
  }
  return std::nullopt;
}

// One position takes its copy of a settled object; the includes in it become new positions.
std::optional<Error> Expansion::Settle(EntryNode& entry, const ObjectSlot& slot) {
  --pending_positions_;
  if (slot.error) {
    builder_.Fail(entry, *slot.error, entry.depth);
    return std::nullopt;
  }
  entry.pending = false;
  plan_bytes_ += slot.plan_bytes;
  if (!slot.parsed->ok()) {
    builder_.Fail(entry, slot.parsed->error(), entry.depth);
    return Bounds();
  }
  DocContext doc;
  doc.chain = entry.chain;
  doc.identities = entry.identities;
  doc.identities.push_back(entry.identity);
  doc.source = slot.source;
  doc.depth = entry.depth;
  doc.signers = entry.signers;
  entry.children = builder_.MakeNodes(**slot.parsed, doc);
  size_t before = discovered_.size();
  CollectPending(entry.children, discovered_);
  pending_positions_ += static_cast<int>(discovered_.size() - before);
  return Bounds();
}

ExpandResult Expansion::Run(std::vector<userdata::Part> parts) {
  Clock::MonoTime start = clock_.Monotonic();
  std::vector<PartNode> roots = builder_.MakeNodes(std::move(parts), DocContext{});
  CollectPending(roots, discovered_);
  pending_positions_ = static_cast<int>(discovered_.size());
  if (std::optional<Error> fatal = Bounds()) return Fatal(std::move(*fatal));
  if (std::optional<Error> fatal = Schedule()) return Fatal(std::move(*fatal));
  while (in_flight_ > 0) {
    ObjectSlot& slot = *by_job_[pool_.WaitOne()];
    if (std::optional<Error> fatal = Arrived(slot)) return Fatal(std::move(*fatal));
    if (std::optional<Error> fatal = Schedule()) return Fatal(std::move(*fatal));
  }

  ExpandResult result;
  Plan plan;
  Flatten(roots, options_.keep_going ? INT_MAX : builder_.failure_level(), plan, result.failures);
  plan.objects_fetched = objects_fetched_;
  plan.bytes_fetched = bytes_fetched_;
  plan.fetch_ms = std::chrono::duration<double, std::milli>(clock_.Monotonic() - start).count();
  if (!result.failures.empty()) {
    if (!options_.keep_going) return result;
    plan.complete = false;
    for (const ExpandFailure& failure : result.failures) plan.omitted.push_back(failure.ToString());
  }
  // An incomplete plan's bodies stay staged and are dropped with the cache.
  if (plan.complete) plan.include_once_staged = cache_.TakeStaged();
  result.plan = std::move(plan);
  return result;
}

}  // namespace s3us::expand

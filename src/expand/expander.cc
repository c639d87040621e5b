#include "expand/expander.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <utility>

#include "core/crypto.h"
#include "core/log.h"
#include "core/secret.h"
#include "core/strings.h"
#include "expand/include_chain.h"
#include "expand/include_once_cache.h"
#include "expand/include_target.h"
#include "expand/parallel.h"
#include "fetch/verify.h"
#include "trust/allowed_signers.h"

namespace s3us::expand {

std::string ExpandFailure::ToString() const {
  std::string message = error.ToString();
  if (where.empty()) return Printable(message, kMaxLogMessage);
  // The entry is the include line's own text: quoted escaped and cut, here and wherever the
  // cause quotes it again, so that a 4 MiB line with NULs makes one short printable line.
  std::string quoted = Printable(url);
  if (quoted != url) {
    for (size_t at = message.find(url); !url.empty() && at != std::string::npos;
         at = message.find(url, at + quoted.size())) {
      message.replace(at, url.size(), quoted);
    }
  }
  // A cause that starts with the entry (a location that did not parse) names it already.
  bool named = url.empty() || message.rfind(quoted + ": ", 0) == 0;
  return Printable(where + (named ? "" : " (" + quoted + ")") + ": " + message, kMaxLogMessage);
}

std::vector<std::string> FailureLines(const std::vector<ExpandFailure>& failures, size_t shown) {
  std::vector<std::string> lines;
  for (size_t i = 0; i < failures.size() && i < shown; ++i) {
    lines.push_back(failures[i].ToString());
  }
  if (failures.size() > shown) {
    lines.push_back("and " + std::to_string(failures.size() - shown) + " more failed includes");
  }
  return lines;
}

namespace {

// A fetched object that is not MIME is one part that cloud-init would call "part-001";
// the object's own name ("setup.sh") says more in plans, reports and the scripts folder.
void NameSinglePartObject(std::vector<userdata::Part>& parts, const userdata::Source& source) {
  if (parts.size() != 1) return;
  userdata::Part& part = parts.front();
  bool single = part.declared_type.empty() || part.declared_type == userdata::kTypeNotMultipart;
  if (!single) return;
  std::string_view path = source.key.empty() ? std::string_view(source.url) : source.key;
  path = path.substr(0, path.find_first_of("?#"));
  std::string_view name = path.substr(path.rfind('/') + 1);
  if (!name.empty()) part.filename = std::string(name);
}

using userdata::IncludeStep;
using userdata::Part;

bool IsIncludeType(const std::string& type) {
  return type == userdata::kTypeS3Include || type == userdata::kTypeInclude ||
         type == userdata::kTypeIncludeOnce;
}

// Where a document sits: the user data itself (no chain) or one fetched object.
using SignersPtr = std::shared_ptr<const trust::AllowedSigners>;

struct DocContext {
  std::vector<IncludeStep> chain;       // the steps that led to this document
  std::vector<std::string> identities;  // objects enclosing it, outermost first
  std::optional<userdata::Source> source;
  int depth = 0;
  SignersPtr signers;  // trust declared by the user-data include part above it, if any
};

struct EntryNode;
struct ObjectSlot;

struct PartNode {
  Part part;
  bool include = false;
  std::optional<ExpandFailure> failure;  // the include list itself is malformed
  std::vector<EntryNode> entries;
};

struct EntryNode {
  std::vector<IncludeStep> chain;  // up to and including this entry
  std::vector<std::string> identities;
  int depth = 0;
  fetch::Target target;  // what is fetched, resolved once
  std::string shown;     // redacted, for messages and records
  std::string identity;
  std::optional<std::string> sha256;
  SignersPtr signers;
  std::optional<std::string> signer;
  bool once = false;

  bool pending = false;
  ObjectSlot* slot = nullptr;  // while pending: the object this position waits for
  std::optional<Error> error;
  std::vector<PartNode> children;
};

// One object (URL + version, pin, #include-once or not) of this run: fetched or read from
// the include-once cache once, parsed once, reused at every position that names it.
struct ObjectSlot {
  fetch::Target target;
  std::string shown;
  std::optional<std::string> sha256;
  SignersPtr signers;
  std::optional<std::string> signer;
  bool once = false;
  bool fetched = false;  // over the network, as opposed to from the include-once cache
  std::optional<Error> error;
  std::optional<userdata::Source> source;
  std::string body;
  std::optional<Result<std::vector<Part>>> parsed;
};

// The state of one Expand() call.
class Expansion {
 public:
  Expansion(fetch::Fetcher& fetcher, Clock& clock, const InstanceFacts& facts,
            const ExpandOptions& options)
      : fetcher_(fetcher),
        clock_(clock),
        facts_(facts),
        options_(options),
        cache_(options.include_once_cache_dir) {}

  ExpandResult Run(std::vector<Part> parts);

 private:
  std::vector<PartNode> MakeNodes(std::vector<Part> parts, const DocContext& doc);
  void MakeEntry(const Part& part, int part_index, const userdata::IncludeEntry& entry,
                 const DocContext& doc, const SignersPtr& signers, EntryNode& out);
  static Result<SignersPtr> InlineSigners(const Part& part, int part_index, const DocContext& doc);
  void Fail(EntryNode& entry, Error error);
  ObjectSlot& SlotFor(const EntryNode& entry, bool& is_new);
  void ReadCache(ObjectSlot& slot);
  void FetchOne(ObjectSlot& slot);
  const Result<std::vector<Part>>& Parsed(ObjectSlot& slot);
  void Settle(EntryNode& entry, ObjectSlot& slot);
  static void CollectPending(std::vector<PartNode>& nodes, std::vector<EntryNode*>& out);
  static void Flatten(std::vector<PartNode>& nodes, Plan& plan,
                      std::vector<ExpandFailure>& failures);
  static ExpandResult Fatal(Error error);
  Error PartsLimitError() const;
  Error DeadlineError() const {
    return Error(ErrorCode::kTimeout, "includes not expanded before the deadline");
  }

  fetch::Fetcher& fetcher_;
  Clock& clock_;
  const InstanceFacts& facts_;
  const ExpandOptions& options_;
  IncludeOnceCache cache_;
  Deadline deadline_;
  int leaf_parts_ = 0;
  bool any_failure_ = false;
  int objects_fetched_ = 0;
  size_t objects_requested_ = 0;          // distinct objects sent to the fetcher, failed ones too
  uint64_t bytes_fetched_ = 0;            // over the network
  uint64_t plan_bytes_ = 0;               // bytes at every position that uses them
  std::atomic<uint64_t> total_bytes_{0};  // fetched this depth, while fetching
  std::atomic<bool> over_total_{false};
  std::map<std::string, std::unique_ptr<ObjectSlot>> slots_;
};

std::string DocPartLabel(const DocContext& doc, int part_index) {
  if (doc.chain.empty()) return "part " + std::to_string(part_index);
  std::string label = DescribeChain(doc.chain) + " → " + doc.chain.back().url;
  if (part_index > 1) label += " part " + std::to_string(part_index);
  return label;
}

std::vector<PartNode> Expansion::MakeNodes(std::vector<Part> parts, const DocContext& doc) {
  std::vector<PartNode> nodes(parts.size());
  for (size_t i = 0; i < parts.size(); ++i) {
    PartNode& node = nodes[i];
    node.part = std::move(parts[i]);
    int part_index = node.part.index > 0 ? node.part.index : static_cast<int>(i) + 1;
    if (!IsIncludeType(node.part.content_type)) {
      ++leaf_parts_;
      if (!doc.chain.empty()) {
        node.part.origin.chain = doc.chain;
        node.part.origin.source = doc.source;
      }
      continue;
    }
    node.include = true;
    Result<std::vector<userdata::IncludeEntry>> entries = userdata::ParseIncludeList(node.part);
    if (!entries.ok()) {
      node.failure = ExpandFailure{DocPartLabel(doc, part_index), "", std::move(entries.error())};
      any_failure_ = true;
      continue;
    }
    Result<SignersPtr> signers = InlineSigners(node.part, part_index, doc);
    if (!signers.ok()) {
      node.failure = ExpandFailure{DocPartLabel(doc, part_index), "", std::move(signers.error())};
      any_failure_ = true;
      continue;
    }
    node.entries.resize(entries->size());
    for (size_t e = 0; e < entries->size(); ++e) {
      MakeEntry(node.part, part_index, (*entries)[e], doc, *signers, node.entries[e]);
    }
  }
  return nodes;
}

// Trust an #s3-include part of the user data declares for what is fetched through it, on top
// of what encloses it. Only the user data itself may declare trust: a fetched object that
// tries would vouch for its own children, so it is refused.
Result<SignersPtr> Expansion::InlineSigners(const Part& part, int part_index,
                                            const DocContext& doc) {
  std::vector<userdata::InlineSignerLine> lines = userdata::InlineSignerLines(part);
  if (lines.empty()) return doc.signers;
  if (!doc.chain.empty()) {
    return Error(ErrorCode::kAccessDenied,
                 "line " + std::to_string(lines.front().line) + ": " +
                     std::string(userdata::kInlineSignerPrefix) +
                     " is honoured only in user data, not in a fetched object");
  }
  trust::AllowedSigners signers;
  for (const userdata::InlineSignerLine& line : lines) {
    std::string where = "line " + std::to_string(line.line);
    Result<trust::AllowedSigners> parsed =
        trust::AllowedSigners::Parse(line.text, "part " + std::to_string(part_index) + " " + where);
    if (!parsed.ok()) return Error(parsed.error().code(), where + ": " + parsed.error().message());
    signers.Append(*parsed);
  }
  return SignersPtr(std::make_shared<const trust::AllowedSigners>(std::move(signers)));
}

void Expansion::MakeEntry(const Part& part, int part_index, const userdata::IncludeEntry& entry,
                          const DocContext& doc, const SignersPtr& signers, EntryNode& out) {
  out.identities = doc.identities;
  out.depth = doc.depth + 1;
  out.sha256 = entry.sha256;
  out.signers = signers;
  out.signer = entry.signer;
  out.once = part.content_type == userdata::kTypeIncludeOnce;
  Result<fetch::Target> target = ResolveIncludeTarget(
      entry.url, part.content_type == userdata::kTypeS3Include, options_.key_template, facts_);
  if (target.ok()) {
    out.target = std::move(*target);
  } else {
    out.target.url = std::string(Trim(entry.url));
  }
  out.shown = RedactUrl(out.target.url);
  out.chain = doc.chain;
  out.chain.push_back(IncludeStep{part_index, entry.line, out.shown});
  if (!target.ok()) return Fail(out, std::move(target.error()));

  out.identity = out.target.Identity();
  for (const std::string& enclosing : out.identities) {
    if (enclosing == out.identity) {
      return Fail(out, Error(ErrorCode::kCycle,
                             "include cycle: " + DescribeChain(out.chain) + " → " + out.shown));
    }
  }
  if (out.depth > options_.limits.max_depth) {
    return Fail(out, Error(ErrorCode::kLimitExceeded,
                           "include depth limit of " + std::to_string(options_.limits.max_depth) +
                               " exceeded (--max-depth)"));
  }
  out.pending = true;
}

void Expansion::Fail(EntryNode& entry, Error error) {
  entry.error = std::move(error);
  entry.pending = false;
  any_failure_ = true;
}

// Positions that name the same object with the same pin and the same trust share one fetch;
// #include-once positions read the cache first, so they never share a slot with plain ones.
ObjectSlot& Expansion::SlotFor(const EntryNode& entry, bool& is_new) {
  std::string key = (entry.once ? "once " : "") + entry.identity + " " + entry.sha256.value_or("") +
                    " " + entry.signer.value_or("") + " " +
                    std::to_string(reinterpret_cast<uintptr_t>(entry.signers.get()));
  std::unique_ptr<ObjectSlot>& slot = slots_[key];
  is_new = slot == nullptr;
  if (is_new) {
    slot = std::make_unique<ObjectSlot>();
    slot->target = entry.target;
    slot->shown = entry.shown;
    slot->sha256 = entry.sha256;
    slot->signers = entry.signers;
    slot->signer = entry.signer;
    slot->once = entry.once;
  }
  return *slot;
}

void Expansion::ReadCache(ObjectSlot& slot) {
  Result<std::optional<std::string>> cached =
      cache_.Lookup(slot.target.url, options_.limits.max_object_bytes);
  if (!cached.ok()) {
    slot.error = std::move(cached.error());
    return;
  }
  if (!cached->has_value()) return;
  std::string body = std::move(**cached);
  fetch::ReceivedBody received;
  received.bytes = body.size();
  received.sha256 = Sha256Hex(body);
  received.upstream_verified_by = "include-once cache";
  fetch::FetchOptions pin;
  pin.expected_sha256 = slot.sha256;
  Result<std::string> verified_by = fetch::VerifyBody(received, pin);
  if (!verified_by.ok()) {
    slot.error = std::move(verified_by.error())
                     .WithContext("reading " + slot.shown + " from the include-once cache");
    return;
  }
  userdata::Source source;
  source.url = slot.shown;
  source.size = received.bytes;
  source.sha256 = received.sha256;
  source.verified_by = *verified_by;
  slot.source = std::move(source);
  slot.body = std::move(body);
}

// Runs on a pool thread: touches only `slot` and the atomics.
void Expansion::FetchOne(ObjectSlot& slot) {
  // Left unfetched: the whole expansion is about to fail on the total size limit.
  if (over_total_) return;
  fetch::FetchOptions fetch_options;
  fetch_options.expected_sha256 = slot.sha256;
  fetch_options.max_bytes = options_.limits.max_object_bytes;
  fetch_options.deadline = deadline_;
  fetch_options.signers = slot.signers.get();
  fetch_options.signer = slot.signer;
  Result<fetch::FetchedObject> object = fetcher_.Fetch(slot.target, fetch_options);
  if (!object.ok()) {
    slot.error = std::move(object.error());
    return;
  }
  slot.fetched = true;
  slot.body = std::move(object->body);
  slot.source = std::move(object->source);
  uint64_t total = total_bytes_.fetch_add(slot.body.size()) + slot.body.size();
  if (total > options_.limits.max_total_bytes) over_total_ = true;
}

// Parsed once per object, on the coordinating thread; the body is dropped afterwards.
const Result<std::vector<Part>>& Expansion::Parsed(ObjectSlot& slot) {
  if (!slot.parsed) {
    if (slot.fetched) {
      ++objects_fetched_;
      bytes_fetched_ += slot.body.size();
      if (slot.once && cache_.enabled()) {
        if (Status s = cache_.Store(slot.target.url, slot.body); !s.ok()) {
          LogWarning(slot.shown + ": " + s.error().ToString());
        }
      }
    }
    // A fetched object's encodings must decode: a broken one fails the plan, not a skip.
    userdata::ParseOptions parse = options_.parse;
    parse.strict_encodings = true;
    Result<std::vector<Part>> parts = userdata::Parse(slot.body, parse);
    if (parts.ok() && slot.source) NameSinglePartObject(*parts, *slot.source);
    if (!parts.ok()) parts = std::move(parts.error()).WithContext("parsing " + slot.shown);
    slot.parsed = std::move(parts);
    slot.body = std::string();
  }
  return *slot.parsed;
}

// Back on the coordinating thread: one position takes its copy of a settled object.
void Expansion::Settle(EntryNode& entry, ObjectSlot& slot) {
  entry.slot = nullptr;
  if (slot.error) return Fail(entry, *slot.error);
  entry.pending = false;
  plan_bytes_ += slot.source ? slot.source->size : 0;
  const Result<std::vector<Part>>& parts = Parsed(slot);
  if (!parts.ok()) return Fail(entry, parts.error());
  DocContext doc;
  doc.chain = entry.chain;
  doc.identities = entry.identities;
  doc.identities.push_back(entry.identity);
  doc.source = slot.source;
  doc.depth = entry.depth;
  doc.signers = entry.signers;
  entry.children = MakeNodes(*parts, doc);
}

void Expansion::CollectPending(std::vector<PartNode>& nodes, std::vector<EntryNode*>& out) {
  for (PartNode& node : nodes) {
    for (EntryNode& entry : node.entries) {
      if (entry.pending) out.push_back(&entry);
    }
  }
}

void Expansion::Flatten(std::vector<PartNode>& nodes, Plan& plan,
                        std::vector<ExpandFailure>& failures) {
  for (PartNode& node : nodes) {
    if (!node.include) {
      node.part.index = static_cast<int>(plan.parts.size()) + 1;
      plan.parts.push_back(std::move(node.part));
    } else if (node.failure) {
      failures.push_back(std::move(*node.failure));
    } else {
      for (EntryNode& entry : node.entries) {
        if (entry.error) {
          failures.push_back(ExpandFailure{DescribeChain(entry.chain), entry.shown, *entry.error});
        } else {
          Flatten(entry.children, plan, failures);
        }
      }
    }
  }
}

// A whole-expansion limit or the deadline: the run ends here with that one failure;
// include failures found so far would only bury it.
ExpandResult Expansion::Fatal(Error error) {
  ExpandResult result;
  result.failures.push_back(ExpandFailure{"", "", std::move(error)});
  return result;
}

Error Expansion::PartsLimitError() const {
  return Error(ErrorCode::kLimitExceeded, "the plan exceeds the limit of " +
                                              std::to_string(options_.limits.max_parts) +
                                              " parts (--max-parts)");
}

ExpandResult Expansion::Run(std::vector<Part> parts) {
  Clock::MonoTime start = clock_.Monotonic();
  deadline_ = options_.deadline;
  const ExpandLimits& limits = options_.limits;
  // Every include position still to expand will be at least one part of the plan: the
  // limits are checked on that lower bound before anything more is fetched.
  auto over_parts = [&](size_t pending) {
    return static_cast<uint64_t>(leaf_parts_) + pending > static_cast<uint64_t>(limits.max_parts);
  };

  std::vector<PartNode> roots = MakeNodes(std::move(parts), DocContext{});
  std::vector<EntryNode*> level;
  CollectPending(roots, level);
  while (!level.empty()) {
    if (deadline_.Expired(clock_)) return Fatal(DeadlineError());
    if (over_parts(level.size())) return Fatal(PartsLimitError());
    std::vector<ObjectSlot*> to_fetch;
    for (EntryNode* entry : level) {
      bool is_new = false;
      ObjectSlot& slot = SlotFor(*entry, is_new);
      entry->slot = &slot;
      if (!is_new) continue;
      // The cache keeps no signature: an object that must be signed is always fetched.
      if (slot.once && cache_.enabled() && !slot.signers && !slot.signer) ReadCache(slot);
      if (!slot.error && !slot.source) to_fetch.push_back(&slot);
    }
    objects_requested_ += to_fetch.size();
    if (objects_requested_ > static_cast<size_t>(limits.max_objects)) {
      return Fatal(Error(ErrorCode::kLimitExceeded, "the includes name more than " +
                                                        std::to_string(limits.max_objects) +
                                                        " objects (--max-objects)"));
    }
    LogDebug("fetching " + std::to_string(to_fetch.size()) + " object(s) for " +
             std::to_string(level.size()) + " include(s) at depth " +
             std::to_string(level.front()->depth));
    total_bytes_ = plan_bytes_;
    ParallelFor(to_fetch.size(), options_.max_parallel, [&](size_t i) { FetchOne(*to_fetch[i]); });
    for (ObjectSlot* slot : to_fetch) {
      if (slot->error && slot->error->code() == ErrorCode::kTimeout && deadline_.Expired(clock_)) {
        // Name an object the deadline cut: the one line must say what was being fetched.
        return Fatal(DeadlineError().WithContext(slot->shown));
      }
    }
    Error over_total(ErrorCode::kLimitExceeded, "includes exceed the total size limit of " +
                                                    HumanBytes(limits.max_total_bytes) +
                                                    " (--max-total-bytes)");
    if (over_total_) return Fatal(over_total);
    std::vector<EntryNode*> next;
    for (size_t i = 0; i < level.size(); ++i) {
      Settle(*level[i], *level[i]->slot);
      CollectPending(level[i]->children, next);
      if (plan_bytes_ > limits.max_total_bytes) return Fatal(over_total);
      if (over_parts(next.size() + (level.size() - i - 1))) return Fatal(PartsLimitError());
    }
    level = std::move(next);
    // Fail closed: every failure at this depth is reported, nothing deeper is fetched.
    if (!options_.keep_going && any_failure_) break;
  }

  ExpandResult result;
  Plan plan;
  Flatten(roots, plan, result.failures);
  plan.objects_fetched = objects_fetched_;
  plan.bytes_fetched = bytes_fetched_;
  plan.fetch_ms = std::chrono::duration<double, std::milli>(clock_.Monotonic() - start).count();
  if (!result.failures.empty()) {
    if (!options_.keep_going) return result;
    plan.complete = false;
    for (const ExpandFailure& failure : result.failures) plan.omitted.push_back(failure.ToString());
  }
  result.plan = std::move(plan);
  return result;
}

}  // namespace

Expander::Expander(fetch::Fetcher& fetcher, Clock& clock, InstanceFacts facts,
                   ExpandOptions options)
    : fetcher_(fetcher), clock_(clock), facts_(std::move(facts)), options_(std::move(options)) {
  uint64_t& parse_input = options_.parse.limits.max_input_bytes;
  parse_input = std::max(parse_input, options_.limits.max_object_bytes);
}

ExpandResult Expander::Expand(std::vector<userdata::Part> parts) {
  Expansion expansion(fetcher_, clock_, facts_, options_);
  return expansion.Run(std::move(parts));
}

}  // namespace s3us::expand

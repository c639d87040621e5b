#include "expand/expander.h"

#include <algorithm>
#include <atomic>
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

namespace s3us::expand {

std::string ExpandFailure::ToString() const {
  if (where.empty()) return error.ToString();
  return where + (url.empty() ? "" : " (" + url + ")") + ": " + error.ToString();
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
struct DocContext {
  std::vector<IncludeStep> chain;       // the steps that led to this document
  std::vector<std::string> identities;  // objects enclosing it, outermost first
  std::optional<userdata::Source> source;
  int depth = 0;
};

struct EntryNode;

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
  std::string url;    // what is fetched (unredacted: pre-signed URLs need their query)
  std::string shown;  // redacted, for messages and records
  std::string identity;
  std::optional<std::string> sha256;
  bool once = false;

  bool pending = false;
  bool fetched = false;  // over the network, as opposed to from the include-once cache
  std::optional<Error> error;
  std::optional<userdata::Source> source;
  std::string body;
  std::vector<PartNode> children;
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
                 const DocContext& doc, EntryNode& out);
  void Fail(EntryNode& entry, Error error);
  void ReadCache(EntryNode& entry);
  void FetchOne(EntryNode& entry);
  void Settle(EntryNode& entry);
  static void CollectPending(std::vector<PartNode>& nodes, std::vector<EntryNode*>& out);
  static void Flatten(std::vector<PartNode>& nodes, Plan& plan,
                      std::vector<ExpandFailure>& failures);
  ExpandResult Fatal(std::vector<PartNode>& roots, Error error);
  Error DeadlineError() const {
    return Error(ErrorCode::kTimeout, "includes not expanded within the deadline of " +
                                          std::to_string(options_.timeout.count()) + " ms");
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
  uint64_t bytes_fetched_ = 0;  // over the network
  std::atomic<uint64_t> total_bytes_{0};
  std::atomic<bool> over_total_{false};
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
    node.entries.resize(entries->size());
    for (size_t e = 0; e < entries->size(); ++e) {
      MakeEntry(node.part, part_index, (*entries)[e], doc, node.entries[e]);
    }
  }
  return nodes;
}

void Expansion::MakeEntry(const Part& part, int part_index, const userdata::IncludeEntry& entry,
                          const DocContext& doc, EntryNode& out) {
  out.identities = doc.identities;
  out.depth = doc.depth + 1;
  out.sha256 = entry.sha256;
  out.once = part.content_type == userdata::kTypeIncludeOnce;
  out.url = std::string(Trim(entry.url));
  Error error(ErrorCode::kInternal, "");
  bool ok = true;
  if (part.content_type == userdata::kTypeS3Include) {
    Result<std::string> url = ResolveS3IncludeUrl(out.url, options_.key_template, facts_);
    if (url.ok()) {
      out.url = std::move(*url);
    } else {
      error = std::move(url.error());
      ok = false;
    }
  }
  out.shown = RedactUrl(out.url);
  out.chain = doc.chain;
  out.chain.push_back(IncludeStep{part_index, entry.line, out.shown});
  if (!ok) return Fail(out, std::move(error));

  out.identity = IncludeIdentity(out.url);
  for (const std::string& enclosing : out.identities) {
    if (enclosing == out.identity) {
      return Fail(out, Error(ErrorCode::kCycle,
                             "include cycle: " + DescribeChain(out.chain) + " → " + out.shown));
    }
  }
  if (out.depth > options_.limits.max_depth) {
    return Fail(out, Error(ErrorCode::kLimitExceeded,
                           "include depth limit of " + std::to_string(options_.limits.max_depth) +
                               " exceeded (max_depth)"));
  }
  out.pending = true;
}

void Expansion::Fail(EntryNode& entry, Error error) {
  entry.error = std::move(error);
  entry.pending = false;
  any_failure_ = true;
}

void Expansion::ReadCache(EntryNode& entry) {
  Result<std::optional<std::string>> cached =
      cache_.Lookup(entry.url, options_.limits.max_object_bytes);
  if (!cached.ok()) return Fail(entry, std::move(cached.error()));
  if (!cached->has_value()) return;
  std::string body = std::move(**cached);
  fetch::ReceivedBody received;
  received.bytes = body.size();
  received.sha256 = Sha256Hex(body);
  received.upstream_verified_by = "include-once cache";
  fetch::FetchOptions pin;
  pin.expected_sha256 = entry.sha256;
  Result<std::string> verified_by = fetch::VerifyBody(received, pin);
  if (!verified_by.ok()) {
    return Fail(entry, std::move(verified_by.error())
                           .WithContext("reading " + entry.shown + " from the include-once cache"));
  }
  userdata::Source source;
  source.url = entry.shown;
  source.size = received.bytes;
  source.sha256 = received.sha256;
  source.verified_by = *verified_by;
  entry.source = std::move(source);
  entry.body = std::move(body);
  total_bytes_ += entry.body.size();
  if (total_bytes_ > options_.limits.max_total_bytes) over_total_ = true;
}

// Runs on a pool thread: touches only `entry` and the atomics.
void Expansion::FetchOne(EntryNode& entry) {
  // Left pending: the whole expansion is about to fail on the total size limit.
  if (over_total_) return;
  fetch::FetchOptions fetch_options;
  fetch_options.expected_sha256 = entry.sha256;
  fetch_options.max_bytes = options_.limits.max_object_bytes;
  fetch_options.deadline = deadline_;
  Result<fetch::FetchedObject> object = fetcher_.Fetch(entry.url, fetch_options);
  if (!object.ok()) {
    entry.error = std::move(object.error());
    return;
  }
  entry.fetched = true;
  entry.body = std::move(object->body);
  entry.source = std::move(object->source);
  uint64_t total = total_bytes_.fetch_add(entry.body.size()) + entry.body.size();
  if (total > options_.limits.max_total_bytes) over_total_ = true;
}

// Back on the coordinating thread: account, cache and parse what one entry fetched.
void Expansion::Settle(EntryNode& entry) {
  if (entry.error) return Fail(entry, std::move(*entry.error));
  entry.pending = false;
  if (entry.fetched) {
    ++objects_fetched_;
    bytes_fetched_ += entry.body.size();
    if (entry.once && cache_.enabled()) {
      if (Status s = cache_.Store(entry.url, entry.body); !s.ok()) {
        LogWarning(entry.shown + ": " + s.error().ToString());
      }
    }
  }
  Result<std::vector<Part>> parts = userdata::Parse(entry.body, options_.parse);
  entry.body = std::string();
  if (!parts.ok())
    return Fail(entry, std::move(parts.error()).WithContext("parsing " + entry.shown));
  if (entry.source) NameSinglePartObject(*parts, *entry.source);
  DocContext doc;
  doc.chain = entry.chain;
  doc.identities = entry.identities;
  doc.identities.push_back(entry.identity);
  doc.source = entry.source;
  doc.depth = entry.depth;
  entry.children = MakeNodes(std::move(*parts), doc);
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

ExpandResult Expansion::Fatal(std::vector<PartNode>& roots, Error error) {
  ExpandResult result;
  Plan discarded;
  Flatten(roots, discarded, result.failures);
  result.failures.push_back(ExpandFailure{"", "", std::move(error)});
  return result;
}

ExpandResult Expansion::Run(std::vector<Part> parts) {
  Clock::MonoTime start = clock_.Monotonic();
  if (options_.timeout.count() > 0) deadline_ = Deadline::After(clock_, options_.timeout);
  const ExpandLimits& limits = options_.limits;

  std::vector<PartNode> roots = MakeNodes(std::move(parts), DocContext{});
  std::vector<EntryNode*> level;
  CollectPending(roots, level);
  while (!level.empty()) {
    if (deadline_.Expired(clock_)) {
      return Fatal(roots, DeadlineError());
    }
    std::vector<EntryNode*> to_fetch;
    for (EntryNode* entry : level) {
      if (entry->once && cache_.enabled()) ReadCache(*entry);
      if (entry->pending && !entry->error && !entry->source) to_fetch.push_back(entry);
    }
    LogDebug("fetching " + std::to_string(to_fetch.size()) + " include(s) at depth " +
             std::to_string(level.front()->depth));
    ParallelFor(to_fetch.size(), options_.max_parallel, [&](size_t i) { FetchOne(*to_fetch[i]); });
    for (EntryNode* entry : to_fetch) {
      if (entry->error && entry->error->code() == ErrorCode::kTimeout &&
          deadline_.Expired(clock_)) {
        return Fatal(roots, DeadlineError());
      }
    }
    if (over_total_) {
      return Fatal(roots, Error(ErrorCode::kLimitExceeded,
                                "includes exceed the total size limit of " +
                                    HumanBytes(limits.max_total_bytes) + " (max_total_bytes)"));
    }
    std::vector<EntryNode*> next;
    for (EntryNode* entry : level) {
      if (!entry->pending) continue;  // failed while reading the cache
      Settle(*entry);
      CollectPending(entry->children, next);
    }
    if (leaf_parts_ > limits.max_parts) {
      return Fatal(roots, Error(ErrorCode::kLimitExceeded, "the plan exceeds the limit of " +
                                                               std::to_string(limits.max_parts) +
                                                               " parts (max_parts)"));
    }
    level = std::move(next);
    // Fail closed: every failure at this depth is reported, nothing deeper is fetched.
    if (!options_.keep_going && any_failure_) break;
  }
  if (leaf_parts_ > limits.max_parts) {
    return Fatal(roots, Error(ErrorCode::kLimitExceeded, "the plan exceeds the limit of " +
                                                             std::to_string(limits.max_parts) +
                                                             " parts (max_parts)"));
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

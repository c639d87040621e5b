// The include tree of one expansion: the user data's parts, each include part's entries,
// and under each entry the parts of the object it fetched. Building a level of the tree
// (parsing include lists, resolving targets, cycle and depth checks) and flattening the
// whole tree into the Plan in depth-first document order live here; fetching and
// scheduling are the Expansion's (expansion.h).
#ifndef S3US_EXPAND_INCLUDE_TREE_H_
#define S3US_EXPAND_INCLUDE_TREE_H_

#include <algorithm>
#include <climits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/instance.h"
#include "expand/expander.h"
#include "fetch/fetcher.h"
#include "trust/allowed_signers.h"
#include "userdata/part.h"

namespace s3us::expand {

using SignersPtr = std::shared_ptr<const trust::AllowedSigners>;
struct ObjectSlot;

// Where a document sits: the user data itself (no chain) or one fetched object.
struct DocContext {
  std::vector<userdata::IncludeStep> chain;  // the steps that led to this document
  std::vector<std::string> identities;       // objects enclosing it, outermost first
  std::optional<userdata::Source> source;
  int depth = 0;
  SignersPtr signers;  // trust declared by the user-data include part above it, if any
};

struct EntryNode;

struct PartNode {
  userdata::Part part;
  bool include = false;
  std::optional<ExpandFailure> failure;  // the include list itself is malformed
  int failure_level = 0;                 // see EntryNode::failure_level
  std::vector<EntryNode> entries;
};

struct EntryNode {
  std::vector<userdata::IncludeStep> chain;  // up to and including this entry
  std::vector<std::string> identities;
  int depth = 0;
  fetch::Target target;  // what is fetched, resolved once
  std::string shown;     // redacted, for messages and records
  std::string identity;
  std::optional<std::string> sha256;
  SignersPtr signers;
  std::optional<std::string> signer;
  bool once = false;

  bool pending = false;  // still to fetch (or never fetched: below a failure, fail closed)
  std::optional<Error> error;
  // The include depth at which a level-by-level expansion would have found this failure:
  // the depth of the document whose fetch or parse found it (at least 1). Fail closed
  // reports the failures of the shallowest failing level only, whatever finished first.
  int failure_level = 0;
  std::vector<PartNode> children;
};

// Builds one document's nodes. Counts its leaf parts and its failures' shallowest level.
class TreeBuilder {
 public:
  TreeBuilder(const InstanceFacts& facts, const ExpandOptions& options)
      : facts_(facts), options_(options) {}

  std::vector<PartNode> MakeNodes(std::vector<userdata::Part> parts, const DocContext& doc);
  // Records an entry's failure found at `level`.
  void Fail(EntryNode& entry, Error error, int level);

  int leaf_parts() const { return leaf_parts_; }
  // The shallowest level of any failure so far; INT_MAX while none.
  int failure_level() const { return failure_level_; }

 private:
  void MakeEntry(const userdata::Part& part, int part_index, const userdata::IncludeEntry& entry,
                 const DocContext& doc, const SignersPtr& signers, EntryNode& out);
  void NoteFailure(int level) { failure_level_ = std::min(failure_level_, level); }

  const InstanceFacts& facts_;
  const ExpandOptions& options_;
  int leaf_parts_ = 0;
  int failure_level_ = INT_MAX;
};

// The trust an #s3-include part's "#s3-allowed-signer" lines declare (none: an empty
// list), each line parsed as one allowed_signers line. kInvalidInput (and the parser's
// other codes) as "line N: cause". The one parser for the fetch path and `validate`.
Result<trust::AllowedSigners> ParseInlineSigners(const userdata::Part& part, int part_index);

// Appends the pending entries of `nodes` (not their children) in document order.
void CollectPending(std::vector<PartNode>& nodes, std::vector<EntryNode*>& out);

// Moves the leaves of the tree into plan (renumbered) and its failures of level
// <= max_level into failures, both in document order.
void Flatten(std::vector<PartNode>& nodes, int max_level, Plan& plan,
             std::vector<ExpandFailure>& failures);

}  // namespace s3us::expand

#endif  // S3US_EXPAND_INCLUDE_TREE_H_

#include "expand/include_tree.h"

#include <utility>

#include "core/secret.h"
#include "core/strings.h"
#include "expand/include_chain.h"
#include "expand/include_target.h"
#include "userdata/content_type.h"

namespace s3us::expand {
namespace {

using userdata::IncludeStep;
using userdata::Part;

std::string DocPartLabel(const DocContext& doc, int part_index) {
  if (doc.chain.empty()) return "part " + std::to_string(part_index);
  std::string label = DescribeChain(doc.chain) + " → " + doc.chain.back().url;
  if (part_index > 1) label += " part " + std::to_string(part_index);
  return label;
}

// Trust an #s3-include part of the user data declares for what is fetched through it, on top
// of what encloses it. Only the user data itself may declare trust: a fetched object that
// tries would vouch for its own children, so it is refused.
Result<SignersPtr> InlineSigners(const Part& part, int part_index, const DocContext& doc) {
  Result<std::vector<userdata::InlineSignerLine>> found = userdata::InlineSignerLines(part);
  if (!found.ok()) return found.error();
  if (found->empty()) return doc.signers;
  if (!doc.chain.empty()) {
    return Error(ErrorCode::kAccessDenied,
                 "line " + std::to_string(found->front().line) + ": " +
                     std::string(userdata::kInlineSignerPrefix) +
                     " is honoured only in user data, not in a fetched object");
  }
  Result<trust::AllowedSigners> signers = ParseInlineSigners(part, part_index);
  if (!signers.ok()) return signers.error();
  return SignersPtr(std::make_shared<const trust::AllowedSigners>(std::move(*signers)));
}

}  // namespace

Result<trust::AllowedSigners> ParseInlineSigners(const Part& part, int part_index) {
  Result<std::vector<userdata::InlineSignerLine>> found = userdata::InlineSignerLines(part);
  if (!found.ok()) return found.error();
  trust::AllowedSigners signers;
  for (const userdata::InlineSignerLine& line : *found) {
    std::string where = "line " + std::to_string(line.line);
    Result<trust::AllowedSigners> parsed =
        trust::AllowedSigners::Parse(line.text, "part " + std::to_string(part_index) + " " + where);
    if (!parsed.ok()) return Error(parsed.error().code(), where + ": " + parsed.error().message());
    signers.Append(*parsed);
  }
  return signers;
}

std::vector<PartNode> TreeBuilder::MakeNodes(std::vector<Part> parts, const DocContext& doc) {
  // Found while building this document: a level-by-level expansion finds it at the depth
  // that fetched the document (the user data's own problems at the first level).
  const int level = std::max(1, doc.depth);
  std::vector<PartNode> nodes(parts.size());
  for (size_t i = 0; i < parts.size(); ++i) {
    PartNode& node = nodes[i];
    node.part = std::move(parts[i]);
    int part_index = node.part.index > 0 ? node.part.index : static_cast<int>(i) + 1;
    if (!userdata::IsIncludeList(node.part)) {
      ++leaf_parts_;
      if (!doc.chain.empty()) {
        node.part.origin.chain = doc.chain;
        node.part.origin.source = doc.source;
      }
      continue;
    }
    node.include = true;
    Result<std::vector<userdata::IncludeEntry>> entries = userdata::ParseIncludeList(node.part);
    Result<SignersPtr> signers =
        entries.ok() ? InlineSigners(node.part, part_index, doc) : SignersPtr();
    if (!entries.ok() || !signers.ok()) {
      Error error = !entries.ok() ? std::move(entries.error()) : std::move(signers.error());
      node.failure = ExpandFailure{DocPartLabel(doc, part_index), "", std::move(error)};
      node.failure_level = level;
      NoteFailure(level);
      continue;
    }
    node.entries.resize(entries->size());
    for (size_t e = 0; e < entries->size(); ++e) {
      MakeEntry(node.part, part_index, (*entries)[e], doc, *signers, node.entries[e]);
    }
  }
  return nodes;
}

void TreeBuilder::MakeEntry(const Part& part, int part_index, const userdata::IncludeEntry& entry,
                            const DocContext& doc, const SignersPtr& signers, EntryNode& out) {
  const int level = std::max(1, doc.depth);
  out.identities = doc.identities;
  out.depth = doc.depth + 1;
  out.sha256 = entry.sha256;
  out.signers = signers;
  out.signer = entry.signer;
  // Line by line, as cloud-init's _do_include: an "#include-once" line turns it on, an
  // "#include" line off, whatever the part's type.
  out.once = entry.once;
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
  if (!target.ok()) return Fail(out, std::move(target.error()), level);

  out.identity = out.target.Identity();
  for (const std::string& enclosing : out.identities) {
    if (enclosing == out.identity) {
      return Fail(out,
                  Error(ErrorCode::kCycle,
                        "include cycle: " + DescribeChain(out.chain) + " → " + out.shown),
                  level);
    }
  }
  if (out.depth > options_.limits.max_depth) {
    return Fail(out,
                Error(ErrorCode::kLimitExceeded, "include depth limit of " +
                                                     std::to_string(options_.limits.max_depth) +
                                                     " exceeded (--max-depth)"),
                level);
  }
  out.pending = true;
}

void TreeBuilder::Fail(EntryNode& entry, Error error, int level) {
  entry.error = std::move(error);
  entry.pending = false;
  entry.failure_level = level;
  NoteFailure(level);
}

void CollectPending(std::vector<PartNode>& nodes, std::vector<EntryNode*>& out) {
  for (PartNode& node : nodes) {
    for (EntryNode& entry : node.entries) {
      if (entry.pending) out.push_back(&entry);
    }
  }
}

void Flatten(std::vector<PartNode>& nodes, int max_level, Plan& plan,
             std::vector<ExpandFailure>& failures) {
  for (PartNode& node : nodes) {
    if (!node.include) {
      node.part.index = static_cast<int>(plan.parts.size()) + 1;
      plan.parts.push_back(std::move(node.part));
    } else if (node.failure) {
      if (node.failure_level <= max_level) failures.push_back(std::move(*node.failure));
    } else {
      for (EntryNode& entry : node.entries) {
        if (entry.error) {
          if (entry.failure_level <= max_level) {
            failures.push_back(
                ExpandFailure{DescribeChain(entry.chain), entry.shown, *entry.error});
          }
        } else {
          Flatten(entry.children, max_level, plan, failures);
        }
      }
    }
  }
}

}  // namespace s3us::expand

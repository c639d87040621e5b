#include "run/describe.h"

#include "core/strings.h"

namespace s3us::run {
namespace {

// Content types, filenames and URLs come from user data or the network, and the description
// goes into messages and the run's log: a newline must not forge a line there, nor an escape
// sequence recolour or clear a terminal. Escaped as error lines are (\x1b), not shortened.
std::string Shown(const std::string& s) { return Printable(s, std::string::npos); }

}  // namespace

std::string DescribeChain(const userdata::Origin& origin) {
  std::string out;
  for (size_t i = origin.chain.size(); i-- > 0;) {
    const userdata::IncludeStep& step = origin.chain[i];
    if (!out.empty()) out += ", ";
    out += "line " + std::to_string(step.line) + " of part " + std::to_string(step.part_index);
    if (i > 0) out += " of " + Shown(origin.chain[i - 1].url);
  }
  return out;
}

std::string DescribePart(const userdata::Part& part, int count) {
  std::string out = "part " + std::to_string(part.index) + " of " + std::to_string(count) + " (" +
                    Shown(part.content_type);
  if (part.origin.source.has_value() && !part.origin.source->url.empty()) {
    out += " from " + Shown(part.origin.source->url);
  } else if (!part.origin.chain.empty()) {
    out += " from " + Shown(part.origin.chain.back().url);
  } else {
    out += ", filename " + Shown(part.filename);
  }
  std::string chain = DescribeChain(part.origin);
  if (!chain.empty()) out += ", " + chain;
  return out + ")";
}

}  // namespace s3us::run

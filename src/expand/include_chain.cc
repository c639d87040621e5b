#include "expand/include_chain.h"

#include "core/strings.h"

namespace s3us::expand {

namespace {

// Of a longer chain only the first step and the last two are named: a chain of eight long
// keys (a cycle, a depth overrun) made a 4 KiB line cut before its cause.
constexpr size_t kNamedSteps = 3;

std::string Step(const std::vector<userdata::IncludeStep>& chain, size_t i) {
  const userdata::IncludeStep& step = chain[i];
  std::string out;
  if (i == 0) {
    out = "part " + std::to_string(step.part_index);
  } else {
    out = " → " + Printable(chain[i - 1].url);
    if (step.part_index > 1) out += " part " + std::to_string(step.part_index);
  }
  return out + " line " + std::to_string(step.line);
}

}  // namespace

std::string DescribeChain(const std::vector<userdata::IncludeStep>& chain) {
  std::string out;
  for (size_t i = 0; i < chain.size(); ++i) {
    if (chain.size() > kNamedSteps && i == 1) {
      size_t skipped = chain.size() - kNamedSteps;
      out += " → … (" + std::to_string(skipped) + (skipped == 1 ? " include" : " includes") + ") …";
      i = chain.size() - 2;
    }
    out += Step(chain, i);
  }
  return out;
}

}  // namespace s3us::expand

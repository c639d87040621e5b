#include "expand/include_chain.h"

namespace s3us::expand {

std::string DescribeChain(const std::vector<userdata::IncludeStep>& chain) {
  std::string out;
  for (size_t i = 0; i < chain.size(); ++i) {
    const userdata::IncludeStep& step = chain[i];
    if (i == 0) {
      out += "part " + std::to_string(step.part_index);
    } else {
      out += " → " + chain[i - 1].url;
      if (step.part_index > 1) out += " part " + std::to_string(step.part_index);
    }
    out += " line " + std::to_string(step.line);
  }
  return out;
}

}  // namespace s3us::expand

#include "run/describe.h"

namespace s3us::run {
namespace {

// Filenames come from user data: a newline in one must not forge a log line.
std::string Printable(const std::string& s) {
  std::string out = s;
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

}  // namespace

std::string DescribeChain(const userdata::Origin& origin) {
  std::string out;
  for (size_t i = origin.chain.size(); i-- > 0;) {
    const userdata::IncludeStep& step = origin.chain[i];
    if (!out.empty()) out += ", ";
    out += "line " + std::to_string(step.line) + " of part " + std::to_string(step.part_index);
    if (i > 0) out += " of " + origin.chain[i - 1].url;
  }
  return out;
}

std::string DescribePart(const userdata::Part& part, int count) {
  std::string out = "part " + std::to_string(part.index) + " of " + std::to_string(count) + " (" +
                    part.content_type;
  if (part.origin.source.has_value() && !part.origin.source->url.empty()) {
    out += " from " + part.origin.source->url;
  } else if (!part.origin.chain.empty()) {
    out += " from " + part.origin.chain.back().url;
  } else {
    out += ", filename " + Printable(part.filename);
  }
  std::string chain = DescribeChain(part.origin);
  if (!chain.empty()) out += ", " + chain;
  return out + ")";
}

}  // namespace s3us::run

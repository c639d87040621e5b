#include "run/plan_view.h"

#include <vector>

#include "core/crypto.h"
#include "core/strings.h"
#include "run/dispatcher.h"

namespace s3us::run {
namespace {

using nlohmann::json;

// What the text view quotes from user data or the network (content types, filenames, URLs):
// control bytes escaped as error lines are (\x1b), so none can end a line or drive the
// terminal. The JSON view needs none of this: JSON escapes them.
std::string Shown(const std::string& s) { return Printable(s, std::string::npos); }

std::vector<int> RunPositions(const expand::Plan& plan, const Registry& registry) {
  std::vector<int> position(plan.parts.size(), 0);
  std::vector<int> order = RunOrder(plan, registry);
  for (size_t i = 0; i < order.size(); ++i) {
    position[static_cast<size_t>(order[i]) - 1] = static_cast<int>(i) + 1;
  }
  return position;
}

std::string HandlerName(const Registry& registry, const std::string& type) {
  Handler* h = registry.Find(type);
  return h ? std::string(h->name()) : std::string();
}

bool SameStep(const userdata::IncludeStep& a, const userdata::IncludeStep& b) {
  return a.part_index == b.part_index && a.line == b.line && a.url == b.url;
}

// An include step's part number is local to the document holding it (the user data, or the
// object the step before fetched), so the heading names that document, and then the plan's
// own numbers of the parts the include became:
// "include at line 1 of part 2 of s3://b/outer.mime: s3://b/inner.sh (parts 3-4)".
std::string IncludeHeading(const expand::Plan& plan, size_t first, size_t depth) {
  const auto& chain = plan.parts[first].origin.chain;
  const userdata::IncludeStep& step = chain[depth];
  size_t last = first;
  while (last + 1 < plan.parts.size()) {
    const auto& next = plan.parts[last + 1].origin.chain;
    bool inside = next.size() > depth;
    for (size_t d = 0; inside && d <= depth; ++d) inside = SameStep(next[d], chain[d]);
    if (!inside) break;
    ++last;
  }
  std::string document = depth == 0 ? "the user data" : Shown(chain[depth - 1].url);
  std::string parts = first == last ? "part " + std::to_string(plan.parts[first].index)
                                    : "parts " + std::to_string(plan.parts[first].index) + "-" +
                                          std::to_string(plan.parts[last].index);
  return "include at line " + std::to_string(step.line) + " of part " +
         std::to_string(step.part_index) + " of " + document + ": " + Shown(step.url) + " (" +
         parts + ")";
}

// "1 part", "2 parts".
std::string Count(uint64_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

}  // namespace

std::string RenderPlanText(const expand::Plan& plan, const Registry& registry) {
  std::vector<int> position = RunPositions(plan, registry);
  std::string out = plan.parts.empty() ? "no parts" : Count(plan.parts.size(), "part");
  if (plan.objects_fetched > 0) {
    out += ", " + Count(plan.objects_fetched, "object") + " fetched (" +
           HumanBytes(plan.bytes_fetched) + ")";
  }
  out += "\n";
  const std::vector<userdata::IncludeStep>* previous = nullptr;
  static const std::vector<userdata::IncludeStep> kNone;
  for (size_t i = 0; i < plan.parts.size(); ++i) {
    const userdata::Part& part = plan.parts[i];
    const auto& chain = part.origin.chain;
    const auto& prev = previous ? *previous : kNone;
    // Headings for the include steps this part does not share with the one before it.
    size_t shared = 0;
    while (shared < chain.size() && shared < prev.size() && SameStep(chain[shared], prev[shared])) {
      ++shared;
    }
    for (size_t d = shared; d < chain.size(); ++d) {
      out += std::string(2 * d, ' ') + IncludeHeading(plan, i, d) + "\n";
    }
    previous = &chain;
    std::string indent(2 * chain.size(), ' ');
    std::string source = part.origin.source.has_value() ? part.origin.source->url : "user data";
    out += indent + "part " + std::to_string(part.index) + " (runs " + std::to_string(position[i]) +
           "): " + Shown(part.content_type) + "  " + Shown(part.filename) + "  " +
           HumanBytes(part.payload.size()) + "  sha256 " + part.payload.Sha256Hex().substr(0, 12) +
           "  handler " +
           (HandlerName(registry, part.content_type).empty()
                ? std::string("none")
                : HandlerName(registry, part.content_type)) +
           "  from " + Shown(source) + "\n";
  }
  return out;
}

json PlanToJson(const expand::Plan& plan, const Registry& registry) {
  std::vector<int> position = RunPositions(plan, registry);
  json parts = json::array();
  for (size_t i = 0; i < plan.parts.size(); ++i) {
    const userdata::Part& part = plan.parts[i];
    json source = nullptr;
    if (part.origin.source.has_value()) {
      const userdata::Source& s = *part.origin.source;
      source = {{"url", s.url},
                {"bucket", s.bucket},
                {"key", s.key},
                {"version_id", s.version_id},
                {"etag", s.etag},
                {"region", s.region},
                {"verified_by", s.verified_by}};
    }
    json origin = json::array();
    for (const auto& step : part.origin.chain) {
      origin.push_back({{"part", step.part_index}, {"line", step.line}, {"url", step.url}});
    }
    parts.push_back({{"index", part.index},
                     {"run_order", position[i]},
                     {"content_type", part.content_type},
                     {"filename", part.filename},
                     {"handler", HandlerName(registry, part.content_type)},
                     {"size", part.payload.size()},
                     {"sha256", part.payload.Sha256Hex()},
                     {"source", source},
                     {"origin", origin}});
  }
  return {{"parts", parts},
          {"run_order", RunOrder(plan, registry)},
          {"objects_fetched", plan.objects_fetched},
          {"bytes_fetched", plan.bytes_fetched},
          {"omitted", plan.omitted}};
}

}  // namespace s3us::run

#include "expand/expander.h"

#include <algorithm>
#include <utility>

#include "core/log.h"
#include "core/strings.h"
#include "expand/expansion.h"

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

std::string FailureSummary(const std::vector<ExpandFailure>& failures) {
  if (failures.empty()) return "";
  std::string line = failures.front().ToString();
  if (failures.size() == 1) return line;
  return line + " (and " + CountOf(failures.size() - 1, "more failed include") + "; -v lists them)";
}

std::vector<std::string> FailureLines(const std::vector<ExpandFailure>& failures, size_t shown) {
  std::vector<std::string> lines;
  for (size_t i = 0; i < failures.size() && i < shown; ++i) {
    lines.push_back(failures[i].ToString());
  }
  if (failures.size() > shown) {
    lines.push_back("and " + CountOf(failures.size() - shown, "more failed include"));
  }
  return lines;
}

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

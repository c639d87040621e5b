// Where libyaml takes blanks PyYAML refuses: a tab (PyYAML's scanner takes one only inside a
// quoted scalar, in a block scalar's content and in a comment; libyaml also between tokens and
// in plain scalars) and a byte order mark at the start of a line (libyaml skips it; PyYAML
// reads it as text). For the cloud-config reader (cloud_config_yaml.cc) only.
#ifndef S3US_USERDATA_YAML_BLANKS_H_
#define S3US_USERDATA_YAML_BLANKS_H_

#include <yaml.h>

#include <cstdint>
#include <optional>
#include <string_view>

#include "userdata/cloud_config_yaml.h"

namespace s3us::userdata {

// Walks the text once, in step with libyaml's events, and judges each blank by the scalar it
// is in, if any.
class BlankCursor {
 public:
  enum class Region { kBetween, kPlain, kQuoted, kBlock };

  explicit BlankCursor(std::string_view text) : text_(text) {}

  // Walks to character `index` (libyaml's marks count characters) through `region`, which
  // starts at `start` (for a block scalar, its header line is `start.line`). The first blank
  // cloud-init's loader refuses, if any.
  std::optional<YamlProblem> WalkTo(uint64_t index, Region region, const yaml_mark_t& start);

 private:
  void Step(unsigned char c);

  std::string_view text_;
  size_t pos_ = 0;
  uint64_t index_ = 0;
  uint64_t line_ = 0;
  bool comment_ = false;      // a '#' opened a comment on this line
  bool space_before_ = true;  // the last character was a space or a line break
  bool line_start_ = true;
};

}  // namespace s3us::userdata

#endif  // S3US_USERDATA_YAML_BLANKS_H_

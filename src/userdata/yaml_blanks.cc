#include "userdata/yaml_blanks.h"

namespace s3us::userdata {

std::optional<YamlProblem> BlankCursor::WalkTo(uint64_t index, Region region,
                                               const yaml_mark_t& start) {
  bool prefix = region == Region::kQuoted || region == Region::kBlock;  // anchor, tag
  while (index_ < index && pos_ < text_.size()) {
    unsigned char c = static_cast<unsigned char>(text_[pos_]);
    if (prefix && (c == '"' || c == '\'' || c == '|' || c == '>')) prefix = false;
    bool header = region == Region::kBlock && line_ == start.line;
    if (c == '\t') {
      bool ok = region == Region::kQuoted  ? !prefix
                : region == Region::kBlock ? !prefix && (!header || comment_)
                                           : region == Region::kBetween && comment_;
      if (!ok) {
        return YamlProblem{YamlProblem::Kind::kFails, line_ + 1,
                           "invalid YAML: a tab where cloud-init's loader takes none"};
      }
    } else if (region == Region::kBetween && line_start_ &&
               text_.substr(pos_, 3) == "\xEF\xBB\xBF") {
      // PyYAML reads it as text where libyaml skips it: what it then loads is not followed.
      return YamlProblem{YamlProblem::Kind::kRefused, line_ + 1,
                         "invalid YAML: a byte order mark (U+FEFF) starts a line"};
    } else if (c == '#' && (region == Region::kBetween || header) && space_before_) {
      comment_ = true;
    }
    Step(c);
  }
  return std::nullopt;
}

// One character: a line break of YAML 1.1 (\r\n, \r, \n, NEL, LS, PS) or another.
void BlankCursor::Step(unsigned char c) {
  size_t width = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  std::string_view ch = text_.substr(pos_, width);
  bool crlf = c == '\r' && text_.substr(pos_, 2) == "\r\n";
  if (c == '\n' || c == '\r' || ch == "\xC2\x85" || ch == "\xE2\x80\xA8" || ch == "\xE2\x80\xA9") {
    ++line_;
    comment_ = false;
    space_before_ = true;
    line_start_ = true;
  } else {
    space_before_ = c == ' ';
    line_start_ = false;
  }
  pos_ += crlf ? 2 : width;
  index_ += crlf ? 2 : 1;
}

}  // namespace s3us::userdata

#include "userdata/cloud_config_yaml.h"

#include <yaml.h>

#include <map>
#include <vector>

#include "core/error.h"
#include "userdata/pyyaml_resolve.h"

namespace s3us::userdata {
namespace {

enum class Kind { kScalar, kSequence, kMapping };

// A collection being read: for a mapping, whether its next node is a key; for the value of a
// merge key, what it may hold.
struct Frame {
  Kind kind;
  bool at_key = true;
  bool merge_key = false;    // the key just read was '<<': its value must merge mappings
  bool merge_items = false;  // this sequence is a merge key's value: mappings only
  bool flow = false;         // [] or {}
};

std::string Shown(std::string_view s) {
  return std::string(s.substr(0, 40)) + (s.size() > 40 ? "..." : "");
}

bool TagAccepted(std::string_view tag, Kind kind) {
  if (tag == "!") return true;  // non-specific: resolved as if untagged, quoted
  switch (kind) {
    case Kind::kScalar:
      return tag == "tag:yaml.org,2002:str" || tag == "tag:yaml.org,2002:python/unicode" ||
             tag == "tag:yaml.org,2002:null";  // None, whatever the text
    case Kind::kSequence:
      return tag == "tag:yaml.org,2002:seq";
    case Kind::kMapping:
      return tag == "tag:yaml.org,2002:map";
  }
  return false;
}

// A plain scalar SafeLoader may fail to construct: '=', '<<', an int of no digits (0x_), a
// date (2001-02-30), or one too long to resolve. The rest need no resolver (whose regexes
// cost milliseconds to compile).
bool MayNotConstruct(std::string_view s) {
  if (s == "=" || s == "<<" || s.size() > 256) return true;
  std::string_view digits = s.starts_with('-') || s.starts_with('+') ? s.substr(1) : s;
  if (digits.starts_with("0b") || digits.starts_with("0x")) return true;
  auto digit = [&](size_t i) { return i < s.size() && s[i] >= '0' && s[i] <= '9'; };
  return digit(0) && digit(1) && digit(2) && digit(3) && s.size() > 4 && s[4] == '-';
}

bool IsNull(std::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

// Where libyaml takes blanks PyYAML refuses: a tab (PyYAML's scanner takes one only inside a
// quoted scalar, in a block scalar's content and in a comment; libyaml also between tokens and
// in plain scalars) and a byte order mark at the start of a line (libyaml skips it; PyYAML
// reads it as text). A cursor walks the text once, in step with the events, and judges each
// by the scalar it is in, if any.
class BlankCursor {
 public:
  enum class Region { kBetween, kPlain, kQuoted, kBlock };

  explicit BlankCursor(std::string_view text) : text_(text) {}

  // Walks to character `index` (libyaml's marks count characters) through `region`, which
  // starts at `start` (for a block scalar, its header line is `start.line`). The first blank
  // cloud-init's loader refuses, if any.
  std::optional<YamlProblem> WalkTo(uint64_t index, Region region, const yaml_mark_t& start) {
    bool prefix = region == Region::kQuoted || region == Region::kBlock;  // anchor, tag
    while (index_ < index && pos_ < text_.size()) {
      unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (prefix && (c == '"' || c == '\'' || c == '|' || c == '>')) prefix = false;
      bool header = region == Region::kBlock && line_ == start.line;
      if (c == '\t') {
        bool ok = region == Region::kQuoted  ? !prefix
                  : region == Region::kBlock ? !prefix && (!header || comment_)
                                             : region == Region::kBetween && comment_;
        if (!ok)
          return YamlProblem{line_ + 1, "invalid YAML: a tab where cloud-init's loader takes none"};
      } else if (region == Region::kBetween && line_start_ &&
                 text_.substr(pos_, 3) == "\xEF\xBB\xBF") {
        return YamlProblem{line_ + 1, "invalid YAML: a byte order mark (U+FEFF) starts a line"};
      } else if (c == '#' && (region == Region::kBetween || header) && space_before_) {
        comment_ = true;
      }
      Step(c);
    }
    return std::nullopt;
  }

 private:
  // One character: a line break of YAML 1.1 (\r\n, \r, \n, NEL, LS, PS) or another.
  void Step(unsigned char c) {
    size_t width = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    std::string_view ch = text_.substr(pos_, width);
    bool crlf = c == '\r' && text_.substr(pos_, 2) == "\r\n";
    if (c == '\n' || c == '\r' || ch == "\xC2\x85" || ch == "\xE2\x80\xA8" ||
        ch == "\xE2\x80\xA9") {
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

  std::string_view text_;
  size_t pos_ = 0;
  uint64_t index_ = 0;
  uint64_t line_ = 0;
  bool comment_ = false;      // a '#' opened a comment on this line
  bool space_before_ = true;  // the last character was a space or a line break
  bool line_start_ = true;
};

class Checker {
 public:
  explicit Checker(std::string_view text) : blanks_(text) {}

  // The first problem of this event, if any.
  std::optional<YamlProblem> On(const yaml_event_t& e) {
    uint64_t line = e.start_mark.line + 1;
    auto problem = [&](std::optional<std::string> message) -> std::optional<YamlProblem> {
      if (!message) return std::nullopt;
      return YamlProblem{line, std::move(*message)};
    };
    switch (e.type) {
      case YAML_DOCUMENT_START_EVENT:
        if (++documents_ > 1)
          return problem("invalid YAML: more than one document (cloud-init reads one)");
        return std::nullopt;
      case YAML_SCALAR_EVENT:
        if (std::optional<YamlProblem> blank = Blanks(e)) return blank;
        return problem(Scalar(e.data.scalar));
      case YAML_STREAM_END_EVENT:
        return blanks_.WalkTo(UINT64_MAX, BlankCursor::Region::kBetween, e.start_mark);
      case YAML_ALIAS_EVENT:
        return problem(Alias(reinterpret_cast<const char*>(e.data.alias.anchor)));
      case YAML_SEQUENCE_START_EVENT:
        return problem(Open(Kind::kSequence, e.data.sequence_start.anchor,
                            e.data.sequence_start.tag,
                            e.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE));
      case YAML_MAPPING_START_EVENT:
        return problem(Open(Kind::kMapping, e.data.mapping_start.anchor, e.data.mapping_start.tag,
                            e.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE));
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        stack_.pop_back();
        return std::nullopt;
      default:
        return std::nullopt;
    }
  }

  bool top_is_other() const { return top_ == Top::kOther; }

 private:
  enum class Top { kUnset, kNull, kMap, kOther };

  // The blanks up to this scalar and in it.
  std::optional<YamlProblem> Blanks(const yaml_event_t& e) {
    using Region = BlankCursor::Region;
    if (std::optional<YamlProblem> blank =
            blanks_.WalkTo(e.start_mark.index, Region::kBetween, e.start_mark)) {
      return blank;
    }
    yaml_scalar_style_t style = e.data.scalar.style;
    Region region = style == YAML_PLAIN_SCALAR_STYLE ? Region::kPlain
                    : style == YAML_LITERAL_SCALAR_STYLE || style == YAML_FOLDED_SCALAR_STYLE
                        ? Region::kBlock
                        : Region::kQuoted;
    return blanks_.WalkTo(e.end_mark.index, region, e.start_mark);
  }

  std::optional<std::string> Scalar(const decltype(yaml_event_t::data.scalar)& s) {
    std::string_view value(reinterpret_cast<const char*>(s.value), s.length);
    bool plain = s.plain_implicit != 0 && s.style == YAML_PLAIN_SCALAR_STYLE;
    bool key = AtKey();
    bool flow = !stack_.empty() && stack_.back().flow;
    if (std::optional<std::string> bad = Node(Kind::kScalar, s.anchor, s.tag)) return bad;
    bool null_tag = s.tag != nullptr && std::string_view(reinterpret_cast<const char*>(s.tag)) ==
                                            "tag:yaml.org,2002:null";
    if (top_ == Top::kUnset) {
      top_ = (plain && IsNull(value)) || null_tag ? Top::kNull : Top::kOther;
    }
    if (!plain) return std::nullopt;
    // PyYAML ends a plain scalar at '?' inside [] and {}; libyaml reads on.
    if (flow && value.find('?') != std::string_view::npos) {
      return "invalid YAML: '" + Shown(value) + "' in a flow collection has a '?' (quote it)";
    }
    if (!MayNotConstruct(value)) return Merge(key, value);
    Result<bool> fails = PyYamlPlainFails(std::string(value), key);
    if (!fails.ok()) return "invalid YAML: cannot tell what '" + Shown(value) + "' is";
    if (*fails) return "invalid YAML: '" + Shown(value) + "' cannot be constructed";
    return Merge(key, value);
  }

  std::optional<std::string> Merge(bool key, std::string_view value) {
    if (key && value == "<<") stack_.back().merge_key = true;
    return std::nullopt;
  }

  bool AtKey() const {
    return !stack_.empty() && stack_.back().kind == Kind::kMapping && stack_.back().at_key;
  }

  std::optional<std::string> Open(Kind kind, const yaml_char_t* anchor, const yaml_char_t* tag,
                                  bool flow) {
    if (std::optional<std::string> bad = Node(kind, anchor, tag)) return bad;
    if (top_ == Top::kUnset) top_ = kind == Kind::kMapping ? Top::kMap : Top::kOther;
    if (stack_.size() >= kMaxYamlDepth) {
      return "invalid YAML: nested deeper than " + std::to_string(kMaxYamlDepth) + " levels";
    }
    stack_.push_back({kind});
    stack_.back().merge_items = merging_;
    stack_.back().flow = flow;
    return std::nullopt;
  }

  std::optional<std::string> Alias(const char* anchor) {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) return "invalid YAML: undefined alias *" + Shown(anchor);
    return Place(it->second, true);
  }

  // Every node: its anchor and tag, then its place in the collection around it.
  std::optional<std::string> Node(Kind kind, const yaml_char_t* anchor, const yaml_char_t* tag) {
    if (anchor != nullptr) {
      std::string name(reinterpret_cast<const char*>(anchor));
      if (!anchors_.emplace(name, kind).second) {
        return "invalid YAML: anchor &" + Shown(name) + " is defined twice";
      }
    }
    if (tag != nullptr && !TagAccepted(reinterpret_cast<const char*>(tag), kind)) {
      return "invalid YAML: explicit tag " + Shown(reinterpret_cast<const char*>(tag)) +
             " is refused (only !!str, !!null, !!seq and !!map are accepted)";
    }
    return Place(kind, false);
  }

  // Keys must be hashable; a merge key's value holds mappings only.
  std::optional<std::string> Place(Kind kind, bool alias) {
    merging_ = false;
    if (stack_.empty()) return std::nullopt;
    Frame& f = stack_.back();
    if (f.merge_items && kind != Kind::kMapping) {
      return "invalid YAML: a merge key (<<) lists something other than a mapping";
    }
    if (f.kind != Kind::kMapping) return std::nullopt;
    if (f.at_key) {
      f.at_key = false;
      f.merge_key = false;
      if (kind != Kind::kScalar) return "invalid YAML: a sequence or mapping is used as a key";
      return std::nullopt;
    }
    f.at_key = true;
    if (f.merge_key) {
      f.merge_key = false;
      if (kind == Kind::kScalar) return "invalid YAML: a merge key (<<) merges a scalar";
      // A sequence about to open must list mappings; one seen before is not followed.
      if (kind == Kind::kSequence && alias) {
        return "invalid YAML: a merge key (<<) merges an alias of a sequence";
      }
      merging_ = kind == Kind::kSequence;
    }
    return std::nullopt;
  }

  BlankCursor blanks_;
  std::vector<Frame> stack_;
  std::map<std::string, Kind> anchors_;
  int documents_ = 0;
  bool merging_ = false;
  Top top_ = Top::kUnset;
};

struct Parser {
  yaml_parser_t p;
  Parser() { yaml_parser_initialize(&p); }
  ~Parser() { yaml_parser_delete(&p); }
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;
};

}  // namespace

std::optional<YamlProblem> CloudConfigYamlProblem(std::string_view text) {
  Parser parser;
  yaml_parser_set_input_string(&parser.p, reinterpret_cast<const unsigned char*>(text.data()),
                               text.size());
  yaml_parser_set_encoding(&parser.p, YAML_UTF8_ENCODING);  // cloud-init decodes it as UTF-8
  Checker checker(text);
  for (;;) {
    yaml_event_t event;
    if (yaml_parser_parse(&parser.p, &event) == 0) {
      const char* problem = parser.p.problem != nullptr ? parser.p.problem : "unreadable";
      return YamlProblem{parser.p.problem_mark.line + 1, std::string("invalid YAML: ") + problem};
    }
    std::optional<YamlProblem> bad = checker.On(event);
    bool end = event.type == YAML_STREAM_END_EVENT;
    yaml_event_delete(&event);
    if (bad) return bad;
    if (end) break;
  }
  if (checker.top_is_other()) return YamlProblem{1, "the top level is not a mapping"};
  return std::nullopt;
}

}  // namespace s3us::userdata

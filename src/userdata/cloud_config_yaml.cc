#include "userdata/cloud_config_yaml.h"

#include <yaml.h>

#include <map>
#include <vector>

#include "core/error.h"
#include "userdata/pyyaml_resolve.h"
#include "userdata/yaml_blanks.h"

namespace s3us::userdata {
namespace {

using Found = std::optional<YamlProblem>;  // its line is the event's, set in Checker::On

Found Fails(std::string message) { return YamlProblem{YamlProblem::Kind::kFails, 0, message}; }
Found Refused(std::string message) { return YamlProblem{YamlProblem::Kind::kRefused, 0, message}; }

enum class Kind { kScalar, kSequence, kMapping };

// A scalar of an event or an anchor: `null` when tagged !!null (None, whatever the text).
struct ScalarView {
  std::string_view text;
  bool resolved = false;
  bool null = false;
};

// What an anchor names: for a scalar, its text (an alias of it may be the launch-index).
struct Anchored {
  Kind kind;
  std::string text;
  bool resolved = false;
  bool null = false;
};

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

std::string_view Text(const yaml_char_t* s) {
  return s == nullptr ? std::string_view() : reinterpret_cast<const char*>(s);
}

// In an archive, yaml-cpp builds the tree and cannot tell '!' (PyYAML resolves the scalar
// as if plain: `! 5` is 5) from quotes: it is refused there.
bool TagAccepted(std::string_view tag, Kind kind, bool archive) {
  if (tag == "!") return !archive;  // non-specific: resolved as if plain
  switch (kind) {
    case Kind::kScalar:
      return tag == "tag:yaml.org,2002:str" || (archive && tag == "tag:yaml.org,2002:binary") ||
             tag == "tag:yaml.org,2002:python/unicode" ||
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

bool IsNull(const ScalarView& s) {
  if (s.null) return true;
  std::string_view t = s.text;
  return s.resolved && (t.empty() || t == "~" || t == "null" || t == "Null" || t == "NULL");
}

// libyaml's errors where PyYAML may load the text: a ':' next to a flow indicator (PyYAML
// reads an empty value), an escape of a surrogate (a str to PyYAML).
bool LibyamlStricter(std::string_view problem) {
  return problem == "found unexpected ':'" ||
         problem == "found invalid Unicode character escape code";
}

class Checker {
 public:
  Checker(std::string_view text, bool archive) : blanks_(text), archive_(archive) {}

  // The first problem of this event, if any.
  Found On(const yaml_event_t& e) {
    if (e.type == YAML_SCALAR_EVENT || e.type == YAML_ALIAS_EVENT ||
        e.type == YAML_SEQUENCE_START_EVENT || e.type == YAML_MAPPING_START_EVENT) {
      ++nodes_;
    }
    Found found = Event(e);
    if (found && found->line == 0) found->line = e.start_mark.line + 1;
    last_end_line_ = e.end_mark.line;
    return found;
  }

  bool top_is_other() const { return top_ == Top::kOther; }
  uint64_t nodes() const { return nodes_; }
  const YamlLaunchIndex& launch_index() const { return launch_index_; }

 private:
  enum class Top { kUnset, kNull, kMap, kOther };

  Found Event(const yaml_event_t& e) {
    switch (e.type) {
      case YAML_DOCUMENT_START_EVENT:
        if (++documents_ > 1)
          return Fails("invalid YAML: more than one document (cloud-init reads one)");
        return std::nullopt;
      case YAML_SCALAR_EVENT:
        if (Found blank = Blanks(e)) return blank;
        if (Found misread = MisreadBlock(e)) return misread;
        return Scalar(e.data.scalar);
      case YAML_STREAM_END_EVENT:
        return blanks_.WalkTo(UINT64_MAX, BlankCursor::Region::kBetween, e.start_mark);
      case YAML_ALIAS_EVENT:
        return Alias(Text(e.data.alias.anchor));
      case YAML_SEQUENCE_START_EVENT:
        return Open(Kind::kSequence, e.data.sequence_start.anchor, e.data.sequence_start.tag,
                    e.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE);
      case YAML_MAPPING_START_EVENT:
        return Open(Kind::kMapping, e.data.mapping_start.anchor, e.data.mapping_start.tag,
                    e.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE);
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        stack_.pop_back();
        return std::nullopt;
      default:
        return std::nullopt;
    }
  }

  // The blanks up to this scalar and in it.
  Found Blanks(const yaml_event_t& e) {
    using Region = BlankCursor::Region;
    if (Found blank = blanks_.WalkTo(e.start_mark.index, Region::kBetween, e.start_mark)) {
      return blank;
    }
    yaml_scalar_style_t style = e.data.scalar.style;
    Region region = style == YAML_PLAIN_SCALAR_STYLE ? Region::kPlain
                    : style == YAML_LITERAL_SCALAR_STYLE || style == YAML_FOLDED_SCALAR_STYLE
                        ? Region::kBlock
                        : Region::kQuoted;
    return blanks_.WalkTo(e.end_mark.index, region, e.start_mark);
  }

  // yaml-cpp 0.7 reads a block scalar (| or >) with an anchor or a tag as empty, or fails on
  // it, where a simple key may start (a list item, a line's start, after '?' or an explicit
  // ':'): an archive's content would vanish. As a value on its key's line (`content: !!binary
  // |`) it reads it right; an archive has it nowhere else.
  Found MisreadBlock(const yaml_event_t& e) const {
    const auto& s = e.data.scalar;
    bool block = s.style == YAML_LITERAL_SCALAR_STYLE || s.style == YAML_FOLDED_SCALAR_STYLE;
    if (!archive_ || !block || (s.anchor == nullptr && s.tag == nullptr)) return std::nullopt;
    bool value = !stack_.empty() && stack_.back().kind == Kind::kMapping && !stack_.back().at_key;
    if (value && e.start_mark.line == last_end_line_) return std::nullopt;
    return Refused(
        "invalid YAML: a block scalar (| or >) with an anchor or tag is refused but as a value "
        "on its key's line (yaml-cpp misreads it)");
  }

  Found Scalar(const decltype(yaml_event_t::data.scalar)& s) {
    // libyaml's plain_implicit is PyYAML's implicit[0]: plain and untagged, or tagged '!'.
    ScalarView v{std::string_view(reinterpret_cast<const char*>(s.value), s.length),
                 s.plain_implicit != 0, Text(s.tag) == "tag:yaml.org,2002:null"};
    bool key = AtKey();
    bool flow = !stack_.empty() && stack_.back().flow;
    if (Found bad = Node(Kind::kScalar, s.anchor, s.tag, &v)) return bad;
    if (top_ == Top::kUnset) top_ = IsNull(v) ? Top::kNull : Top::kOther;
    // PyYAML ends a plain scalar at '?' inside [] and {}; libyaml reads on.
    if (s.style == YAML_PLAIN_SCALAR_STYLE && flow && v.text.find('?') != std::string_view::npos) {
      return Fails("invalid YAML: '" + Shown(v.text) +
                   "' in a flow collection has a '?' (quote it)");
    }
    if (!v.resolved) return std::nullopt;
    if (MayNotConstruct(v.text)) {
      Result<bool> fails = PyYamlPlainFails(std::string(v.text), key);
      if (!fails.ok()) return Refused("invalid YAML: cannot tell what '" + Shown(v.text) + "' is");
      if (*fails) return Fails("invalid YAML: '" + Shown(v.text) + "' cannot be constructed");
    }
    if (key && v.text == "<<") stack_.back().merge_key = true;
    return std::nullopt;
  }

  bool AtKey() const {
    return !stack_.empty() && stack_.back().kind == Kind::kMapping && stack_.back().at_key;
  }

  Found Open(Kind kind, const yaml_char_t* anchor, const yaml_char_t* tag, bool flow) {
    if (Found bad = Node(kind, anchor, tag, nullptr)) return bad;
    if (top_ == Top::kUnset) top_ = kind == Kind::kMapping ? Top::kMap : Top::kOther;
    if (stack_.size() >= kMaxYamlDepth) {
      return Refused("invalid YAML: nested deeper than " + std::to_string(kMaxYamlDepth) +
                     " levels");
    }
    stack_.push_back({kind});
    stack_.back().merge_items = merging_;
    stack_.back().flow = flow;
    return std::nullopt;
  }

  Found Alias(std::string_view anchor) {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) return Fails("invalid YAML: undefined alias *" + Shown(anchor));
    const Anchored& a = it->second;
    ScalarView v{a.text, a.resolved, a.null};
    return Place(a.kind, true, a.kind == Kind::kScalar ? &v : nullptr);
  }

  // Every node: its anchor and tag, then its place in the collection around it.
  Found Node(Kind kind, const yaml_char_t* anchor, const yaml_char_t* tag, const ScalarView* v) {
    if (anchor != nullptr) {
      Anchored a = v == nullptr ? Anchored{kind, "", false, false}
                                : Anchored{kind, std::string(v->text), v->resolved, v->null};
      if (!anchors_.emplace(Text(anchor), std::move(a)).second) {
        return Fails("invalid YAML: anchor &" + Shown(Text(anchor)) + " is defined twice");
      }
    }
    if (tag != nullptr && !TagAccepted(Text(tag), kind, archive_)) {
      return Refused("invalid YAML: explicit tag " + Shown(Text(tag)) +
                     " is refused (only !!str, !!null, !!seq and !!map are accepted)");
    }
    return Place(kind, false, v);
  }

  // Keys must be hashable; a merge key's value holds mappings only.
  Found Place(Kind kind, bool alias, const ScalarView* v) {
    merging_ = false;
    if (stack_.empty()) return std::nullopt;
    Frame& f = stack_.back();
    if (f.merge_items && kind != Kind::kMapping) {
      return Fails("invalid YAML: a merge key (<<) lists something other than a mapping");
    }
    if (f.kind != Kind::kMapping) return std::nullopt;
    if (stack_.size() == 1) NoteTop(f.at_key, v);
    if (f.at_key) {
      f.at_key = false;
      f.merge_key = false;
      if (kind != Kind::kScalar)
        return Fails("invalid YAML: a sequence or mapping is used as a key");
      if (alias && v->resolved && v->text == "<<") f.merge_key = true;
      return std::nullopt;
    }
    f.at_key = true;
    if (f.merge_key) {
      f.merge_key = false;
      if (kind == Kind::kScalar) return Fails("invalid YAML: a merge key (<<) merges a scalar");
      // A sequence about to open must list mappings; one seen before is not followed.
      if (kind == Kind::kSequence && alias) {
        return Fails("invalid YAML: a merge key (<<) merges an alias of a sequence");
      }
      merging_ = kind == Kind::kSequence;
    }
    return std::nullopt;
  }

  // A key or value of the top-level mapping: its launch-index, the last one as dict() keeps it.
  void NoteTop(bool at_key, const ScalarView* v) {
    if (at_key) {
      index_key_ = v != nullptr && !v->null && v->text == "launch-index";
      if (v != nullptr && v->resolved && v->text == "<<") launch_index_.merges = true;
    } else if (index_key_) {
      launch_index_.named = true;
      launch_index_.scalar.reset();
      if (v != nullptr && !IsNull(*v))
        launch_index_.scalar = YamlScalar{std::string(v->text), v->resolved};
    }
  }

  BlankCursor blanks_;
  bool archive_;  // !!binary is taken (an archive's content); what yaml-cpp misreads is not
  uint64_t last_end_line_ = 0;  // of the event before this one
  std::vector<Frame> stack_;
  std::map<std::string, Anchored, std::less<>> anchors_;
  int documents_ = 0;
  uint64_t nodes_ = 0;  // scalars, aliases, sequences and mappings
  bool merging_ = false;
  bool index_key_ = false;
  Top top_ = Top::kUnset;
  YamlLaunchIndex launch_index_;
};

struct Parser {
  yaml_parser_t p;
  Parser() { yaml_parser_initialize(&p); }
  ~Parser() { yaml_parser_delete(&p); }
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;
};

// A byte order mark after a line break: libyaml skips it, PyYAML reads it as text, so an
// error of libyaml's after it may be none of PyYAML's.
bool BomStartsLine(std::string_view text) {
  for (size_t i = text.find("\xEF\xBB\xBF", 1); i != std::string_view::npos;
       i = text.find("\xEF\xBB\xBF", i + 1)) {
    std::string_view before = text.substr(0, i);
    if (before.ends_with('\n') || before.ends_with('\r') || before.ends_with("\xC2\x85") ||
        before.ends_with("\xE2\x80\xA8") || before.ends_with("\xE2\x80\xA9")) {
      return true;
    }
  }
  return false;
}

// libyaml's own error, as a problem.
YamlProblem ParserProblem(const yaml_parser_t& p, std::string_view text) {
  std::string_view problem = p.problem != nullptr ? p.problem : "unreadable";
  auto kind = LibyamlStricter(problem) || BomStartsLine(text) ? YamlProblem::Kind::kRefused
                                                              : YamlProblem::Kind::kFails;
  return YamlProblem{kind, p.problem_mark.line + 1, "invalid YAML: " + std::string(problem)};
}

// Every event of `text` through `checker`: the first problem, if any.
std::optional<YamlProblem> Check(std::string_view text, Checker& checker) {
  Parser parser;
  yaml_parser_set_input_string(&parser.p, reinterpret_cast<const unsigned char*>(text.data()),
                               text.size());
  yaml_parser_set_encoding(&parser.p, YAML_UTF8_ENCODING);  // cloud-init decodes it as UTF-8
  for (;;) {
    yaml_event_t event;
    if (yaml_parser_parse(&parser.p, &event) == 0) return ParserProblem(parser.p, text);
    Found bad = checker.On(event);
    bool end = event.type == YAML_STREAM_END_EVENT;
    yaml_event_delete(&event);
    if (bad || end) return bad;
  }
}

}  // namespace

CloudConfigYaml ReadCloudConfigYaml(std::string_view text) {
  Checker checker(text, false);
  if (std::optional<YamlProblem> bad = Check(text, checker)) return {std::move(bad), {}};
  if (checker.top_is_other()) {
    return {YamlProblem{YamlProblem::Kind::kFails, 1, "the top level is not a mapping"}, {}};
  }
  return {std::nullopt, checker.launch_index()};
}

ArchiveYaml ReadArchiveYaml(std::string_view text) {
  Checker checker(text, true);
  std::optional<YamlProblem> problem = Check(text, checker);
  return {std::move(problem), checker.nodes()};
}

std::optional<YamlProblem> CloudConfigYamlProblem(std::string_view text) {
  return ReadCloudConfigYaml(text).problem;
}

}  // namespace s3us::userdata

// Whether cloud-init loads a cloud-config, decided as its load_yaml decides: PyYAML's
// SafeLoader, one document, a mapping or nothing at the top. libyaml reads the text: PyYAML's
// pure-Python scanner and parser are ports of it, so what is well-formed agrees, and it reads
// by events at tens of MB/s in constant memory. On the events we add what PyYAML's composer
// and constructor refuse: a second document, an undefined or repeated anchor, a collection as
// a key, a merge key (<<) that merges no mapping, a plain scalar that cannot be constructed
// (2001-02-30, '='), and explicit tags (only !!str, !!null, !!seq and !!map are taken: the
// others can fail in ways we do not follow, so they are refused). And where libyaml is more
// lenient than PyYAML's port: tabs between tokens and in plain scalars, a byte order mark
// starting a line, a '?' in a plain scalar inside [] or {}. The same pass reads the top-level
// launch-index, for cloud-init's _attach_launch_index (launch_index.h).
#ifndef S3US_USERDATA_CLOUD_CONFIG_YAML_H_
#define S3US_USERDATA_CLOUD_CONFIG_YAML_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace s3us::userdata {

// Nesting deeper than this is refused: PyYAML's composer recurses per level and stops at
// Python's recursion limit (400-500 levels) with an error load_yaml does not catch.
inline constexpr int kMaxYamlDepth = 256;

struct YamlProblem {
  // kFails: PyYAML or load_yaml fails on the text (cloud-init logs it and drops the config).
  // kRefused: we refuse where we do not follow PyYAML (an explicit tag, deep nesting, a
  // libyaml error PyYAML may not have): cloud-init may load it.
  enum class Kind { kFails, kRefused };
  Kind kind = Kind::kFails;
  uint64_t line = 1;    // 1-based, in `text`
  std::string message;  // e.g. "invalid YAML: ..." or "the top level is not a mapping"
};

// A scalar as PyYAML composes it: `resolved` when its type comes from its text (plain and
// untagged, or tagged '!'); else a str.
struct YamlScalar {
  std::string text;
  bool resolved = false;
};

// The top-level mapping's launch-index key, as payload.get("launch-index") finds it.
struct YamlLaunchIndex {
  bool named = false;                // the mapping has the key (the last one counts)
  std::optional<YamlScalar> scalar;  // its value, unless None or a collection
  bool merges = false;               // the mapping has a merge key (<<): keys we do not follow
};

struct CloudConfigYaml {
  std::optional<YamlProblem> problem;  // nullopt when cloud-init's load_yaml loads it
  YamlLaunchIndex launch_index;        // when it loads
};

CloudConfigYaml ReadCloudConfigYaml(std::string_view text);

// A #cloud-config-archive as PyYAML's safe_load reads it, whatever its top level (the archive
// reader decides what a list holds): the same checks, !!binary taken, what yaml-cpp (which
// builds the tree) misreads refused (a '!' tag, a block scalar with an anchor or tag but as a
// value on its key's line), and the node count, so a tree is built only for a text of
// bounded size (about a kilobyte of yaml-cpp per node).
struct ArchiveYaml {
  std::optional<YamlProblem> problem;  // nullopt when safe_load loads it
  uint64_t nodes = 0;                  // scalars, aliases, sequences and mappings
};
ArchiveYaml ReadArchiveYaml(std::string_view text);

// nullopt when cloud-init's load_yaml would load `text` as a cloud-config.
std::optional<YamlProblem> CloudConfigYamlProblem(std::string_view text);

}  // namespace s3us::userdata

#endif  // S3US_USERDATA_CLOUD_CONFIG_YAML_H_

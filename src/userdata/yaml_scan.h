// One pass of yaml-cpp's parser over the first document of a YAML text, without building
// nodes: what its top level is and how many nodes it has. A node tree (YAML::Load) costs
// about a kilobyte per node (a 10 MiB archive: 410 MB), so the count is checked
// before one is built, and a check that needs only the shape never builds one.
#ifndef S3US_USERDATA_YAML_SCAN_H_
#define S3US_USERDATA_YAML_SCAN_H_

#include <cstdint>
#include <string_view>

namespace s3us::userdata {

// Nodes a document may have before YAML::Load is asked to build it: a hundred times a
// large cloud-config, about 100 MB of tree at the most.
inline constexpr uint64_t kMaxYamlNodes = 100000;

struct YamlShape {
  enum class Top { kNone, kNull, kMap, kOther };  // kNone: no document (empty, comments)
  Top top = Top::kNone;
  uint64_t nodes = 0;  // scalars, nulls, aliases, sequences and mappings
  // A document follows the first (even an empty '---'; or one yaml-cpp cannot parse):
  // PyYAML's safe_load fails on it ("expected a single document"), YAML::Load reads the first.
  bool more_documents = false;
};

// Throws YAML::Exception (mark.line: 0-based) where YAML::Load would, for the first document.
YamlShape ScanYaml(std::string_view text);

}  // namespace s3us::userdata

#endif  // S3US_USERDATA_YAML_SCAN_H_

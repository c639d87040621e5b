// What PyYAML's SafeLoader (6.0, which cloud-init's load_yaml uses) constructs where
// yaml-cpp only gives text: the YAML 1.1 types of plain scalars (0x10 is 16, 010 is 8, 2.9
// is a float, Yes is True, 2001-12-14 a date), merge keys, and the scalars it cannot
// construct at all. For reading a cloud-config's launch-index as cloud-init does.
#ifndef S3US_USERDATA_PYYAML_RESOLVE_H_
#define S3US_USERDATA_PYYAML_RESOLVE_H_

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>

#include "core/error.h"

namespace s3us::userdata {

// str(int(v)) for the value SafeLoader constructs from `v`, or nullopt when it is None, a
// collection, or a value int() refuses. kInvalidInput where we cannot tell exactly: an
// explicit tag, a float out of 64-bit range (.inf makes cloud-init itself fail), a
// sexagesimal float, a timestamp with a time.
Result<std::optional<std::string>> PyYamlIntOf(const YAML::Node& v);

// True when SafeLoader cannot construct this untagged plain scalar: a '=', a '<<' that is
// not a key, an int with no digits, an impossible date. kInvalidInput for a long scalar that
// may be a number, which we do not resolve.
Result<bool> PyYamlPlainFails(const std::string& plain, bool is_key);

// True when SafeLoader fails to construct the document (a plain '=' or a '<<' that is not a
// key, an int with no digits, an impossible date): load_yaml then gives nothing.
// kInvalidInput for a merge key ('<<'), which SafeLoader applies and yaml-cpp does not.
Result<bool> PyYamlFailsOn(const YAML::Node& root);

}  // namespace s3us::userdata

#endif  // S3US_USERDATA_PYYAML_RESOLVE_H_

// What PyYAML's SafeLoader (6.0, which cloud-init's load_yaml uses) constructs where
// libyaml only gives text: the YAML 1.1 types of plain scalars (0x10 is 16, 010 is 8, 2.9
// is a float, Yes is True, 2001-12-14 a date), and the scalars it cannot construct at all.
// For the cloud-config reader (cloud_config_yaml.h), a cloud-config's launch-index and the
// scalars of an archive (archive.h).
#ifndef S3US_USERDATA_PYYAML_RESOLVE_H_
#define S3US_USERDATA_PYYAML_RESOLVE_H_

#include <optional>
#include <string>

#include "core/error.h"

namespace s3us::userdata {

// str(int(v)) for the value SafeLoader constructs from the scalar `text` (of a type its
// resolvers tell when `resolved`, else a str), or nullopt when it is None, a date, or a value
// int() refuses. kInvalidInput where we cannot tell exactly: a float out of 64-bit range
// (.inf makes cloud-init itself fail), a sexagesimal float, a long plain scalar.
Result<std::optional<std::string>> PyYamlIntOf(const std::string& text, bool resolved);

// The type SafeLoader's resolvers give a plain scalar (or one tagged '!'). kOther: a date, a
// merge or value key ('<<', '='), or a long scalar we do not resolve.
enum class PyYamlPlainType { kNull, kBool, kInt, kFloat, kStr, kOther };
PyYamlPlainType PyYamlTypeOf(const std::string& plain);

// True when SafeLoader cannot construct this plain scalar (or one tagged '!'): a '=', a '<<' that
// is not a key, an int with no digits, an impossible date. kInvalidInput for a long scalar that may
// be a number, which we do not resolve.
Result<bool> PyYamlPlainFails(const std::string& plain, bool is_key);

}  // namespace s3us::userdata

#endif  // S3US_USERDATA_PYYAML_RESOLVE_H_

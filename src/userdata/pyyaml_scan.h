// Where PyYAML's scanner (6.0, which cloud-init's load_yaml uses) reads a text otherwise than
// yaml-cpp: the spellings of a key its escapes decode, the quoted scalars it cannot scan, the
// tabs and line breaks it fails on. Facts about the text next to yaml-cpp's tree, for reading
// a cloud-config's launch-index as cloud-init does; not a YAML scanner.
#ifndef S3US_USERDATA_PYYAML_SCAN_H_
#define S3US_USERDATA_PYYAML_SCAN_H_

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

namespace s3us::userdata {

// False only when no scalar of `text` can be the ASCII `key` (which has no backslash): the
// key is not in it, nor in the text with every \x, \u, \U escape and escaped line break
// decoded as a double-quoted scalar decodes them ("launch\x2dindex" is launch-index).
bool MayNameKey(std::string_view text, std::string_view key);

// The quoted and block scalars of yaml-cpp's tree of `text`, read with PyYAML's rules.
struct QuotedScalars {
  std::vector<std::pair<size_t, size_t>> spans;  // offsets of the opening and closing quote
  // [first, end) of each content line of a block scalar past its indentation, as PyYAML's
  // scan_block_scalar finds them (the parent's indent from yaml-cpp's marks, never less).
  std::vector<std::pair<size_t, size_t>> block_text;
  // One PyYAML fails on (load_yaml gives nothing): a quoted scalar the text ends inside
  // (yaml-cpp reads one ended by a line break), an escape PyYAML does not know (yaml-cpp
  // takes \'), a document separator inside one.
  bool pyyaml_fails = false;
};
QuotedScalars FindQuotedScalars(const YAML::Node& root, std::string_view text);

// True when an anchor of `text` may be one PyYAML fails on and yaml-cpp takes: a name
// written twice (PyYAML: "found duplicate anchor", yaml-cpp redefines it) or with a
// character but ASCII letters, digits, '-' and '_'. Looked for outside `quoted`'s spans and
// comments, after a blank or a flow indicator; a plain scalar's "&x" counts too.
bool AnchorsUnsure(std::string_view text, const QuotedScalars& quoted);

// Where PyYAML and yaml-cpp part on blanks: the 1-based line of the first tab PyYAML may fail
// on, or of the first NEL, U+2028 or U+2029 (line breaks to PyYAML, text to yaml-cpp); line
// 0 when none. PyYAML fails on a tab wherever a token may start or in a plain scalar; a tab
// is known to be read when it is inside one of `quoted`'s spans or block text, or in a
// comment: a line whose first non-blank is '#', or after a " #" outside the spans with no
// quote or tab before it on its line but those of the spans.
struct BlankSuspect {
  int line = 0;
  bool tab = false;
};
BlankSuspect SuspectBlank(std::string_view text, const QuotedScalars& quoted);

}  // namespace s3us::userdata

#endif  // S3US_USERDATA_PYYAML_SCAN_H_

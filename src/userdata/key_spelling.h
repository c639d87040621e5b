// The spellings of a key PyYAML's escapes decode: whether a text is worth reading as YAML
// for a cloud-config's launch-index (launch_index.cc). Not a YAML scanner.
#ifndef S3US_USERDATA_KEY_SPELLING_H_
#define S3US_USERDATA_KEY_SPELLING_H_

#include <string_view>

namespace s3us::userdata {

// False only when no scalar of `text` can be the ASCII `key` (which has no backslash): the
// key is not in it, nor in the text with every \x, \u, \U escape and escaped line break
// decoded as a double-quoted scalar decodes them ("launch\x2dindex" is launch-index).
bool MayNameKey(std::string_view text, std::string_view key);

}  // namespace s3us::userdata

#endif  // S3US_USERDATA_KEY_SPELLING_H_

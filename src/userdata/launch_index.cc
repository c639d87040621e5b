// A #cloud-config's launch-index as cloud-init's _attach_launch_index reads it through
// PyYAML, or a refusal where yaml-cpp and PyYAML could read the text differently.
#include "userdata/launch_index.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "userdata/content_type.h"
#include "userdata/py_text.h"
#include "userdata/pyyaml_resolve.h"
#include "userdata/yaml_scan.h"

namespace s3us::userdata {
namespace {

// yaml-cpp reads a block mapping's last line without ':' as a key with a null value, where
// PyYAML fails ("could not find expected ':'"): true when some block mapping has one.
bool HasKeyWithoutColon(const YAML::Node& node, std::string_view text) {
  if (node.IsSequence()) {
    for (const YAML::Node& child : node) {
      if (HasKeyWithoutColon(child, text)) return true;
    }
  }
  if (!node.IsMap()) return false;
  for (const auto& kv : node) {
    if (HasKeyWithoutColon(kv.second, text)) return true;
    if (node.Style() != YAML::EmitterStyle::Block || !kv.second.IsNull()) continue;
    int pos = kv.first.Mark().pos;
    if (pos < 0 || static_cast<size_t>(pos) >= text.size()) continue;
    std::string_view rest = text.substr(static_cast<size_t>(pos));
    std::string_view line = rest.substr(0, rest.find_first_of("\r\n"));
    if (line.find(':') == std::string_view::npos && !line.starts_with('?')) return true;
  }
  return false;
}

// launch-index of a #cloud-config mapping, as _attach_launch_index reads it: str(int()) of
// what SafeLoader makes of the last launch-index key (a later one replaces an earlier one).
Result<std::optional<std::string>> LaunchIndexOfTree(std::string_view payload) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(payload));
  } catch (const std::exception&) {
    return std::optional<std::string>();
  }
  if (!root.IsMap() || HasKeyWithoutColon(root, payload)) return std::optional<std::string>();
  Result<bool> fails = PyYamlFailsOn(root);
  if (!fails.ok()) return fails.error();
  if (*fails) return std::optional<std::string>();
  std::optional<YAML::Node> value;
  for (const auto& kv : root) {
    if (kv.first.IsScalar() && kv.first.Scalar() == "launch-index") value.emplace(kv.second);
  }
  if (!value) return std::optional<std::string>();
  return PyYamlIntOf(*value);
}

// Length of the PyYAML line break (\r\n, \r, \n, U+0085, U+2028, U+2029) at text[i], or 0.
size_t YamlBreakAt(std::string_view text, size_t i) {
  std::string_view rest = text.substr(i);
  if (rest.starts_with("\r\n")) return 2;
  if (rest.starts_with('\r') || rest.starts_with('\n')) return 1;
  if (rest.starts_with("\xc2\x85")) return 2;
  if (rest.starts_with("\xe2\x80\xa8") || rest.starts_with("\xe2\x80\xa9")) return 3;
  return 0;
}

// Where PyYAML and yaml-cpp part on blanks: the 1-based line of the first tab outside a
// whole-line comment, or of the first NEL, U+2028 or U+2029 (line breaks to PyYAML, text to
// yaml-cpp); 0 when none. PyYAML (cloud-init's reader) fails on a tab wherever a token may
// start (after a value, before a comment, as indentation, in a flow list), yaml-cpp reads
// past it; a tab in a line whose first non-blank is '#' is never at a token's start (it is
// in a comment, or in the text of a block or quoted scalar).
struct Suspect {
  int line = 0;
  bool tab = false;
};
Suspect SuspectBlank(std::string_view text) {
  int line = 1;
  bool comment = false, blank = true;
  for (size_t i = 0; i < text.size();) {
    if (size_t n = YamlBreakAt(text, i); n != 0) {
      if (text[i] != '\r' && text[i] != '\n') return {line, false};
      ++line;
      comment = false;
      blank = true;
      i += n;
      continue;
    }
    if (text[i] == '\t' && !comment) return {line, true};
    if (blank && text[i] == '#') comment = true;
    if (text[i] != ' ') blank = false;
    ++i;
  }
  return {};
}

// PyYAML's reader refuses a text before reading any YAML: cloud-init decodes it as UTF-8
// strictly, and the reader takes only tab, LF, CR, printable ASCII, U+0085 and U+00A0 up,
// but surrogates and U+FFFE/U+FFFF.
bool PyYamlReads(std::string_view text) {
  if (!IsValidUtf8(text)) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) return false;
    if (c == 0xc2 && static_cast<unsigned char>(text[i + 1]) < 0xa0 && text[i + 1] != '\x85') {
      return false;
    }
    if (c == 0xef && text.substr(i + 1, 2) == "\xbf\xbe") return false;
    if (c == 0xef && text.substr(i + 1, 2) == "\xbf\xbf") return false;
  }
  return true;
}

// The same, for a text that names the key, as PyYAML reads it: no index when its reader
// refuses the text. It fails closed, since which instances the part is for is then
// unknown, on a text too large to build as a tree, and on one with a tab or line break
// PyYAML reads otherwise than yaml-cpp (SuspectBlank).
Result<std::optional<std::string>> LaunchIndexFromYaml(std::string_view payload) {
  if (payload.find("launch-index") == std::string_view::npos || !PyYamlReads(payload)) {
    return std::optional<std::string>();
  }
  if (Suspect at = SuspectBlank(payload); at.line != 0) {
    return Error(ErrorCode::kInvalidInput,
                 "a cloud-config that names launch-index has " +
                     (at.tab ? "a tab on line " + std::to_string(at.line) + " (not in a comment)"
                             : "a NEL, U+2028 or U+2029 on line " + std::to_string(at.line)) +
                     ": cloud-init's YAML reader may refuse it where ours does not, so which "
                     "instances it is for is unknown");
  }
  try {
    if (ScanYaml(payload).nodes > kMaxYamlNodes) {
      return Error(ErrorCode::kLimitExceeded,
                   "a cloud-config that names launch-index has more than " +
                       std::to_string(kMaxYamlNodes) + " YAML nodes");
    }
  } catch (const std::exception&) {
    return std::optional<std::string>();  // not YAML: no index, as the tree would say
  }
  return LaunchIndexOfTree(payload);
}

}  // namespace

Result<std::optional<std::string>> LaunchIndexOf(const Part& part, uint64_t max_bytes) {
  const Payload& payload = part.payload;
  if (HeldAsStrByCloudInit(part)) {
    Result<PayloadView> all = payload.View(max_bytes);
    if (!all.ok()) return all.error();
    return LaunchIndexFromYaml(PyRawUnicodeEscape(all->bytes()));
  }
  if (const std::string* bytes = payload.memory()) return LaunchIndexFromYaml(*bytes);
  constexpr std::string_view kKey = "launch-index";
  std::string tail;
  bool found = false;
  Status scanned = payload.ForEachChunk([&](std::string_view chunk) {
    std::string window = tail + std::string(chunk);  // a key split between two chunks
    found = found || window.find(kKey) != std::string::npos;
    tail = window.substr(window.size() - std::min(window.size(), kKey.size() - 1));
    return Ok();
  });
  if (!scanned.ok()) return scanned.error();
  if (!found) return std::optional<std::string>();
  Result<PayloadView> all = payload.View(max_bytes);
  if (!all.ok()) return all.error();
  return LaunchIndexFromYaml(all->bytes());
}

}  // namespace s3us::userdata

// A #cloud-config's launch-index as cloud-init's _attach_launch_index reads it through
// PyYAML, or a refusal where yaml-cpp and PyYAML could read the text differently.
#include "userdata/launch_index.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>
#include <utility>

#include "userdata/content_type.h"
#include "userdata/py_text.h"
#include "userdata/pyyaml_resolve.h"
#include "userdata/pyyaml_scan.h"
#include "userdata/yaml_scan.h"

namespace s3us::userdata {
namespace {

constexpr std::string_view kKey = "launch-index";

// A ':' PyYAML takes for a value indicator in a block: one followed by a blank or the end
// of the line ("s3://b/k" has none).
bool HasValueColon(std::string_view line) {
  for (size_t i = line.find(':'); i != std::string_view::npos; i = line.find(':', i + 1)) {
    if (i + 1 == line.size() || line[i + 1] == ' ' || line[i + 1] == '\t') return true;
  }
  return false;
}

// yaml-cpp reads a block mapping's last line without ':' as a key with a null value, where
// PyYAML fails ("could not find expected ':'"): true when some block mapping has one. Each
// collection is looked at once (`seen`: marks): an alias is its anchor's node again, and
// nested aliases would be exponential.
bool HasKeyWithoutColon(const YAML::Node& node, std::string_view text,
                        std::set<std::pair<int, int>>& seen) {
  if (!node.IsMap() && !node.IsSequence()) return false;
  if (!seen.insert({node.Mark().pos, static_cast<int>(node.Type())}).second) return false;
  if (node.IsSequence()) {
    for (const YAML::Node& child : node) {
      if (HasKeyWithoutColon(child, text, seen)) return true;
    }
    return false;
  }
  for (const auto& kv : node) {
    if (HasKeyWithoutColon(kv.second, text, seen)) return true;
    if (node.Style() != YAML::EmitterStyle::Block || !kv.second.IsNull()) continue;
    int pos = kv.first.Mark().pos;
    if (pos < 0 || static_cast<size_t>(pos) >= text.size()) continue;
    std::string_view rest = text.substr(static_cast<size_t>(pos));
    std::string_view line = rest.substr(0, rest.find_first_of("\r\n"));
    // An explicit key ("? q", its mark at q) needs no ':' on its line.
    std::string_view before = text.substr(0, static_cast<size_t>(pos));
    before = before.substr(before.find_last_of("\r\n") + 1);
    size_t last = before.find_last_not_of(' ');
    bool explicit_key =
        line.starts_with('?') || (last != std::string_view::npos && before[last] == '?');
    if (!HasValueColon(line) && !explicit_key) return true;
  }
  return false;
}

// launch-index of a #cloud-config mapping, as _attach_launch_index reads it: str(int()) of
// what SafeLoader makes of the last launch-index key (a later one replaces an earlier one).
Result<std::optional<std::string>> LaunchIndexOfTree(const YAML::Node& root,
                                                     std::string_view payload) {
  std::set<std::pair<int, int>> seen;
  if (!root.IsMap() || HasKeyWithoutColon(root, payload, seen)) {
    return std::optional<std::string>();
  }
  Result<bool> fails = PyYamlFailsOn(root);
  if (!fails.ok()) return fails.error();
  if (*fails) return std::optional<std::string>();
  std::optional<YAML::Node> value;
  for (const auto& kv : root) {
    if (kv.first.IsScalar() && kv.first.Scalar() == kKey) value.emplace(kv.second);
  }
  if (!value) return std::optional<std::string>();
  return PyYamlIntOf(*value);
}

Error Suspect(const BlankSuspect& at) {
  return Error(ErrorCode::kInvalidInput,
               "a cloud-config that names launch-index has " +
                   (at.tab ? "a tab on line " + std::to_string(at.line) +
                                 " (not in a comment, quoted or block scalar)"
                           : "a NEL, U+2028 or U+2029 on line " + std::to_string(at.line)) +
                   ": cloud-init's YAML reader may refuse it where ours does not, so which "
                   "instances it is for is unknown");
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

// The same, for a text that may name the key (MayNameKey), as PyYAML reads it: no index when
// its reader refuses the text or its scanner a quoted scalar (FindQuotedScalars). It fails
// closed, since which instances the part is for is then unknown, on a text too large to
// build as a tree, on one with a tab or line break PyYAML may read otherwise than yaml-cpp
// (SuspectBlank), on an escape yaml-cpp refuses and PyYAML may not (a surrogate), and on
// an anchor PyYAML may fail on (AnchorsUnsure).
Result<std::optional<std::string>> LaunchIndexFromYaml(std::string_view payload) {
  if (!MayNameKey(payload, kKey) || !PyYamlReads(payload)) return std::optional<std::string>();
  YAML::Node root;
  YamlShape shape;
  try {
    shape = ScanYaml(payload);
    if (shape.nodes > kMaxYamlNodes) {
      return Error(ErrorCode::kLimitExceeded,
                   "a cloud-config that names launch-index has more than " +
                       std::to_string(kMaxYamlNodes) + " YAML nodes");
    }
    root = YAML::Load(std::string(payload));
  } catch (const std::exception& e) {
    if (BlankSuspect at = SuspectBlank(payload, {}); at.line != 0) return Suspect(at);
    if (std::string_view(e.what()).find("invalid unicode") != std::string_view::npos) {
      return Error(ErrorCode::kInvalidInput,
                   "a cloud-config that names launch-index has an escape our YAML reader "
                   "refuses and cloud-init's may not (a surrogate or past U+10FFFF), so which "
                   "instances it is for is unknown");
    }
    return std::optional<std::string>();  // not YAML to either
  }
  QuotedScalars quoted = FindQuotedScalars(root, payload);
  if (BlankSuspect at = SuspectBlank(payload, quoted); at.line != 0) return Suspect(at);
  if (AnchorsUnsure(payload, quoted)) {
    return Error(ErrorCode::kInvalidInput,
                 "a cloud-config that names launch-index has an anchor written twice or with a "
                 "character other than a letter, digit, '-' or '_': cloud-init's YAML reader "
                 "may refuse it where ours does not, so which instances it is for is unknown");
  }
  if (quoted.pyyaml_fails || shape.more_documents) return std::optional<std::string>();
  return LaunchIndexOfTree(root, payload);
}

// A backslash that may start an escape spelling a character of the key (\x, \u, \U, an
// escaped line break): MayNameKey reads the whole text then.
bool HasCodeEscape(std::string_view s) {
  for (size_t i = s.find('\\'); i != std::string_view::npos && i + 1 < s.size();
       i = s.find('\\', i + 1)) {
    char e = s[i + 1];
    if (e == 'x' || e == 'u' || e == 'U' || e == '\r' || e == '\n') return true;
  }
  return false;
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
  std::string tail;
  bool found = false;
  Status scanned = payload.ForEachChunk([&](std::string_view chunk) {
    std::string window = tail + std::string(chunk);  // a key split between two chunks
    found = found || window.find(kKey) != std::string::npos || HasCodeEscape(window);
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

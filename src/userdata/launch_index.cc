// A #cloud-config's launch-index as cloud-init's _attach_launch_index reads it: load_yaml,
// then str(int(payload.get("launch-index"))), any exception leaving the part without one.
#include "userdata/launch_index.h"

#include <algorithm>

#include "userdata/cloud_config_yaml.h"
#include "userdata/content_type.h"
#include "userdata/key_spelling.h"
#include "userdata/py_text.h"
#include "userdata/pyyaml_resolve.h"

namespace s3us::userdata {
namespace {

constexpr std::string_view kKey = "launch-index";

Error Unknown(const std::string& why) {
  return Error(ErrorCode::kInvalidInput, "a cloud-config that names launch-index " + why +
                                             ": which instances it is for is unknown");
}

// launch-index of a text that may name the key (MayNameKey), by the cloud-config reader's one
// verdict: where load_yaml fails there is no index (cloud-init logs it and goes on); where we
// refuse on purpose, or the key may come from a merge key, which instances it is for is
// unknown.
Result<std::optional<std::string>> LaunchIndexFromYaml(std::string_view payload) {
  if (!MayNameKey(payload, kKey)) return std::optional<std::string>();
  CloudConfigYaml read = ReadCloudConfigYaml(payload);
  if (const std::optional<YamlProblem>& p = read.problem) {
    if (p->kind == YamlProblem::Kind::kFails) return std::optional<std::string>();
    return Unknown("is refused on line " + std::to_string(p->line) + " (" + p->message + ")");
  }
  const YamlLaunchIndex& index = read.launch_index;
  if (!index.named && index.merges) return Unknown("has a merge key (<<) at the top level");
  if (!index.scalar) return std::optional<std::string>();
  return PyYamlIntOf(index.scalar->text, index.scalar->resolved);
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

#include "aws/profile_file.h"

#include <algorithm>

#include "core/log.h"
#include "core/strings.h"

namespace s3us::aws {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// Letters, digits and _ - / . % @ : + (the SDKs' identifier set).
bool IsIdentifier(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("_-/.%@:+").find(c) != std::string_view::npos;
  });
}

// Trims, then drops a comment: any '#'/';' in a section line, one preceded by whitespace
// in a property line.
std::string_view StripComment(std::string_view line, bool needs_whitespace) {
  line = Trim(line);
  bool prev_blank = false;
  for (size_t i = 0; i < line.size(); ++i) {
    if ((line[i] == '#' || line[i] == ';') && (prev_blank || !needs_whitespace)) {
      return Trim(line.substr(0, i));
    }
    prev_blank = IsBlank(line[i]);
  }
  return line;
}

struct KeyValue {
  std::string key;
  std::string value;
};

// "key = value" → lower-case key and trimmed value; the error text completes "expected
// an '=' sign defining a …" / "… did not have a name".
Result<KeyValue> SplitProperty(std::string_view line, std::string_view what) {
  size_t eq = line.find('=');
  if (eq == std::string_view::npos) {
    return Error(ErrorCode::kInvalidInput, "expected an '=' sign defining a " + std::string(what));
  }
  std::string_view key = Trim(line.substr(0, eq));
  if (key.empty()) {
    return Error(ErrorCode::kInvalidInput, std::string(what) + " did not have a name");
  }
  return KeyValue{ToLower(key), std::string(Trim(line.substr(eq + 1)))};
}

struct RawSection {
  std::string key;  // text between the brackets
  std::vector<std::pair<std::string, std::string>> properties;

  std::string* Find(const std::string& name) {
    for (auto& [k, v] : properties) {
      if (k == name) return &v;
    }
    return nullptr;
  }
};

class RawParser {
 public:
  Status Parse(std::string_view text) {
    int number = 0;
    for (std::string_view line : SplitLines(text)) {
      ++number;
      Status st = ParseLine(line);
      if (!st.ok()) return std::move(st).error().WithContext("line " + std::to_string(number));
    }
    return Ok();
  }
  std::vector<RawSection>& sections() { return sections_; }

 private:
  Status ParseLine(std::string_view line) {
    std::string_view trimmed = Trim(line);
    if (trimmed.empty() || trimmed.front() == '#' || trimmed.front() == ';') return Ok();
    if (line.front() == '[') return SectionLine(line);
    if (IsBlank(line.front())) return Continuation(trimmed);
    return PropertyLine(line);
  }

  Status SectionLine(std::string_view line) {
    std::string_view s = StripComment(line, /*needs_whitespace=*/false);
    if (s.size() < 2 || s.back() != ']') {
      return Error(ErrorCode::kInvalidInput, "profile definition must end with ']'");
    }
    std::string key(s.substr(1, s.size() - 2));
    current_ = kNone;
    for (size_t i = 0; i < sections_.size(); ++i) {
      if (sections_[i].key == key) current_ = i;
    }
    if (current_ == kNone) {
      sections_.push_back(RawSection{key, {}});
      current_ = sections_.size() - 1;
    }
    property_.clear();
    return Ok();
  }

  Status PropertyLine(std::string_view line) {
    if (current_ == kNone) {
      return Error(ErrorCode::kInvalidInput, "expected a profile definition");
    }
    Result<KeyValue> kv = SplitProperty(StripComment(line, /*needs_whitespace=*/true), "property");
    if (!kv.ok()) return std::move(kv).error();
    RawSection& section = sections_[current_];
    if (std::string* v = section.Find(kv->key)) {
      *v = kv->value;
    } else {
      section.properties.emplace_back(kv->key, kv->value);
    }
    property_ = kv->key;
    sub_properties_ = kv->value.empty();
    return Ok();
  }

  Status Continuation(std::string_view trimmed) {
    if (current_ == kNone) {
      return Error(ErrorCode::kInvalidInput, "expected a profile definition");
    }
    if (property_.empty()) {
      return Error(ErrorCode::kInvalidInput, "expected a property definition, found continuation");
    }
    if (sub_properties_) {
      Result<KeyValue> kv = SplitProperty(trimmed, "sub-property");
      if (!kv.ok()) return std::move(kv).error();
    }
    std::string* v = sections_[current_].Find(property_);
    *v += '\n';
    *v += trimmed;
    return Ok();
  }

  static constexpr size_t kNone = static_cast<size_t>(-1);
  std::vector<RawSection> sections_;
  size_t current_ = kNone;  // index into sections_
  std::string property_;
  bool sub_properties_ = false;
};

enum class SectionType { kProfile, kSsoSession, kServices, kIgnored };

struct SectionName {
  SectionType type = SectionType::kIgnored;
  std::string name;
  bool prefixed = false;  // "[profile x]" rather than "[x]"
};

// "profile x" → x when followed by whitespace ("[profilefoo]" is not prefixed).
std::optional<std::string_view> StripPrefix(std::string_view s, std::string_view prefix) {
  if (s.size() <= prefix.size() || !s.starts_with(prefix) || !IsBlank(s[prefix.size()])) {
    return std::nullopt;
  }
  return Trim(s.substr(prefix.size()));
}

SectionName Classify(std::string_view raw, ProfileFileKind kind) {
  std::string_view s = Trim(raw);
  SectionName out;
  if (auto name = StripPrefix(s, "profile")) {
    if (kind == ProfileFileKind::kCredentials) return out;
    out = {SectionType::kProfile, std::string(*name), true};
  } else if (auto sso = StripPrefix(s, "sso-session"); sso && kind == ProfileFileKind::kConfig) {
    out = {SectionType::kSsoSession, std::string(*sso), true};
  } else if (auto svc = StripPrefix(s, "services"); svc && kind == ProfileFileKind::kConfig) {
    out = {SectionType::kServices, std::string(*svc), true};
  } else if (kind == ProfileFileKind::kCredentials || s == "default") {
    out = {SectionType::kProfile, std::string(s), false};
  }
  if (!IsIdentifier(out.name)) out.type = SectionType::kIgnored;
  return out;
}

}  // namespace

const std::string* Profile::Get(std::string_view name) const {
  auto it = properties.find(std::string(name));
  return it == properties.end() ? nullptr : &it->second;
}

std::map<std::string, std::string> Profile::SubProperties(std::string_view name) const {
  std::map<std::string, std::string> out;
  const std::string* v = Get(name);
  if (v == nullptr || v->empty() || v->front() != '\n') return out;
  for (std::string_view line : Split(*v, '\n')) {
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string key = ToLower(Trim(line.substr(0, eq)));
    if (IsIdentifier(key)) out[key] = std::string(Trim(line.substr(eq + 1)));
  }
  return out;
}

const Profile* ProfileSet::FindProfile(std::string_view name) const {
  auto it = profiles.find(std::string(name));
  return it == profiles.end() ? nullptr : &it->second;
}

const Profile* ProfileSet::FindServices(std::string_view name) const {
  auto it = services.find(std::string(name));
  return it == services.end() ? nullptr : &it->second;
}

Status MergeProfileFile(std::string_view text, ProfileFileKind kind, std::string_view file_name,
                        ProfileSet& set) {
  RawParser parser;
  Status st = parser.Parse(text);
  if (!st.ok()) return std::move(st).error().WithContext("parsing " + std::string(file_name));

  std::vector<std::pair<SectionName, const RawSection*>> valid;
  bool has_prefixed_default = false;
  for (const RawSection& raw : parser.sections()) {
    SectionName name = Classify(raw.key, kind);
    if (name.type == SectionType::kIgnored) continue;
    if (name.type == SectionType::kProfile && name.name == "default" && name.prefixed) {
      has_prefixed_default = true;
    }
    valid.emplace_back(std::move(name), &raw);
  }
  for (const auto& [name, raw] : valid) {
    // In the config file "[profile default]" replaces "[default]" entirely.
    if (kind == ProfileFileKind::kConfig && has_prefixed_default && name.name == "default" &&
        name.type == SectionType::kProfile && !name.prefixed) {
      continue;
    }
    std::map<std::string, Profile>& target = name.type == SectionType::kProfile ? set.profiles
                                             : name.type == SectionType::kSsoSession
                                                 ? set.sso_sessions
                                                 : set.services;
    Profile& profile = target[name.name];
    if (std::find(profile.files.begin(), profile.files.end(), file_name) == profile.files.end()) {
      profile.files.emplace_back(file_name);
    }
    for (const auto& [key, value] : raw->properties) {
      // Ignored as the AWS SDKs ignore it; said, since the AWS CLI (configparser) would read
      // "key: value" as a property. The name is not quoted: it may hold the value.
      if (!IsIdentifier(key)) {
        LogWarning(std::string(file_name) + ": [" + Printable(raw->key, 80) +
                   "] has a property name that is not letters, digits, '-' and '_' (a ':' "
                   "where '=' belongs?); it is ignored");
        continue;
      }
      profile.properties[key] = value;
      if (kind == ProfileFileKind::kCredentials) profile.from_credentials_file.insert(key);
    }
  }
  return Ok();
}

}  // namespace s3us::aws

#include "expand/key_template.h"

#include <array>

#include "core/strings.h"

namespace s3us::expand {
namespace {

struct Variable {
  const char* name;     // {name}
  const char* go_name;  // {{.GoName}}
  std::string InstanceFacts::*field;
  const char* flag;  // the command-line flag that supplies it off EC2, or nullptr
};

constexpr std::array<Variable, 6> kVariables = {{
    {"role", "Role", &InstanceFacts::role, "--role"},
    {"instance_id", "InstanceId", &InstanceFacts::instance_id, "--instance-id"},
    {"region", "Region", &InstanceFacts::region, "--region"},
    {"availability_zone", "AvailabilityZone", &InstanceFacts::availability_zone, nullptr},
    {"account_id", "AccountId", &InstanceFacts::account_id, nullptr},
    {"instance_type", "InstanceType", &InstanceFacts::instance_type, nullptr},
}};

std::string KnownList() {
  std::string out;
  for (const Variable& v : kVariables) {
    if (!out.empty()) out += ", ";
    out += "{" + std::string(v.name) + "}";
  }
  return out;
}

Error TemplateError(std::string_view key_template, const std::string& cause) {
  return Error(ErrorCode::kInvalidInput,
               "key template \"" + std::string(key_template) + "\": " + cause);
}

// Walks the template, calling on_var(variable, spelled) for each variable and on_text for
// literal text. Returns the first syntax error.
template <typename OnText, typename OnVar>
Status Walk(std::string_view t, OnText on_text, OnVar on_var) {
  if (Trim(t).empty()) return TemplateError(t, "is empty");
  size_t i = 0;
  while (i < t.size()) {
    size_t open = t.find('{', i);
    if (open == std::string_view::npos) {
      on_text(t.substr(i));
      break;
    }
    on_text(t.substr(i, open - i));
    bool go = t.substr(open, 2) == "{{";
    std::string_view close_mark = go ? "}}" : "}";
    size_t close = t.find(close_mark, open + (go ? 2 : 1));
    if (close == std::string_view::npos) {
      return TemplateError(t, "unclosed \"" + std::string(go ? "{{" : "{") + "\"");
    }
    std::string_view spelled = t.substr(open, close + close_mark.size() - open);
    std::string_view inner = Trim(t.substr(open + (go ? 2 : 1), close - open - (go ? 2 : 1)));
    const Variable* found = nullptr;
    for (const Variable& v : kVariables) {
      if (go ? (!inner.empty() && inner.front() == '.' && inner.substr(1) == v.go_name)
             : inner == v.name) {
        found = &v;
      }
    }
    if (found == nullptr) {
      return TemplateError(t, "unknown variable " + std::string(spelled) +
                                  " (known: " + KnownList() + ", or {{.Role}} and friends)");
    }
    if (Status s = on_var(*found, spelled); !s.ok()) return s;
    i = close + close_mark.size();
  }
  return Ok();
}

}  // namespace

Status ValidateKeyTemplate(std::string_view key_template) {
  return Walk(
      key_template, [](std::string_view) {},
      [](const Variable&, std::string_view) { return Ok(); });
}

bool KeyTemplateUses(std::string_view key_template, std::string_view variable) {
  bool uses = false;
  Status st = Walk(
      key_template, [](std::string_view) {},
      [&](const Variable& v, std::string_view) {
        uses = uses || v.name == variable;
        return Ok();
      });
  return st.ok() && uses;
}

Result<std::string> ExpandKeyTemplate(std::string_view key_template, const InstanceFacts& facts) {
  std::string key;
  Status s = Walk(
      key_template, [&](std::string_view text) { key.append(text); },
      [&](const Variable& v, std::string_view spelled) -> Status {
        const std::string& value = facts.*(v.field);
        if (value.empty()) {
          std::string remedy = v.flag != nullptr ? std::string("give ") + v.flag
                                                 : "only instance metadata supplies it";
          return TemplateError(key_template, "needs " + std::string(spelled) +
                                                 ", which is not known (no instance metadata; " +
                                                 remedy + ")");
        }
        key += value;
        return Ok();
      });
  if (!s.ok()) return s.error();
  if (key.empty()) return TemplateError(key_template, "produces an empty key");
  return key;
}

}  // namespace s3us::expand

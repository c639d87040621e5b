#include "cli/legacy.h"

#include <algorithm>

#include "core/strings.h"
#include "expand/key_template.h"
#include "s3/location.h"

namespace s3us::cli {
namespace {

bool Runs(const userdata::Part& part, const run::Registry& registry) {
  const run::Handler* handler = registry.Find(part.content_type);
  return handler != nullptr && handler->runs_program();
}

// Why one part is not something to exec, in the words of the kernel's refusal.
std::string WhyNotAScript(const userdata::Part& part) {
  if (part.payload.empty()) return "an empty object";
  if (part.payload.head().starts_with("\xEF\xBB\xBF")) {
    return "not a script (a byte order mark before its #! line)";
  }
  const std::string& type = part.content_type;
  if (type == userdata::kTypeCloudConfig || type == userdata::kTypeCloudConfigJsonp) {
    return "not a script (a cloud-config; -b runs a script)";
  }
  if (type == userdata::kTypePlain || type == userdata::kTypeNotMultipart) {
    return "not a script (no #! line)";
  }
  return "not a script (" + Printable(type) + ")";
}

}  // namespace

Status CheckLegacyBucket(std::string_view bucket) {
  // Named first, in -b's words: these would make the entry something else.
  bool spaced = std::any_of(bucket.begin(), bucket.end(),
                            [](unsigned char c) { return c <= ' ' || c == 0x7f; });
  std::string shown = "-b '" + Printable(bucket) + "'";
  if (spaced) {
    return Error(ErrorCode::kInvalidInput,
                 shown + ": a bucket name has no blanks or control characters");
  }
  if (bucket.find('/') != std::string_view::npos) {
    return Error(ErrorCode::kInvalidInput,
                 shown +
                     ": a bucket name, not a path (-k gives the key, default "
                     "'{{.Role}}/user-script')");
  }
  if (Status valid = s3::ValidateBucketName(bucket); !valid.ok()) {
    return Error(ErrorCode::kInvalidInput, shown + ": " + valid.error().message());
  }
  return Ok();
}

std::string LegacyIncludeDocument(std::string_view bucket) {
  return "#s3-include\ns3://" + std::string(bucket) + "\n";
}

std::optional<std::string> LegacyNothingToRun(const expand::Plan& plan,
                                              const run::Registry& registry) {
  const std::vector<userdata::Part>& parts = plan.parts;
  if (std::any_of(parts.begin(), parts.end(),
                  [&](const userdata::Part& part) { return Runs(part, registry); })) {
    return std::nullopt;
  }
  if (parts.empty()) return "an empty object";
  if (parts.size() == 1) return WhyNotAScript(parts.front());
  std::string types;
  for (const userdata::Part& part : parts) {
    types += (types.empty() ? "" : ", ") + Printable(part.content_type);
  }
  return "no part of it is a script (" + std::to_string(parts.size()) + " parts: " + types + ")";
}

std::string LegacyObjectName(std::string_view bucket, std::string_view key_template,
                             const InstanceFacts& facts) {
  Result<std::string> key = expand::ExpandKeyTemplate(key_template, facts);
  return "s3://" + std::string(bucket) + "/" + (key.ok() ? *key : std::string(key_template));
}

void ForgetLegacyDocument(expand::Plan& plan) {
  for (userdata::Part& part : plan.parts) {
    if (part.origin.chain.size() == 1) part.origin.chain.clear();
  }
}

Status CheckLegacyKeyFacts(std::string_view key_template, const InstanceFacts& facts) {
  if (facts.role.empty() && expand::KeyTemplateUses(key_template, "role")) {
    return Error(ErrorCode::kNoCredentials,
                 "the instance has no IAM role (IMDS has no iam/security-credentials)");
  }
  return Ok();
}

std::vector<std::string> LegacyFailureLines(const std::vector<expand::ExpandFailure>& failures) {
  std::vector<std::string> lines;
  for (const expand::ExpandFailure& failure : failures) {
    std::string message = failure.error.ToString();
    bool named = failure.url.empty() || message.find(failure.url) != std::string::npos;
    lines.push_back(LegacyAdvice(named ? message : failure.url + ": " + message));
  }
  return lines;
}

std::string LegacyAdvice(std::string line) {
  // -b mode takes -b, -k, -u and -v only: the limits and IMDS flags other commands name
  // cannot be given there.
  for (size_t at = line.find(" (--"); at != std::string::npos; at = line.find(" (--", at)) {
    size_t end = line.find(')', at);
    if (end == std::string::npos) break;
    line.erase(at, end + 1 - at);
  }
  constexpr std::string_view kImdsV1 = "; --allow-imdsv1 allows it";
  if (size_t at = line.find(kImdsV1); at != std::string::npos) line.erase(at, kImdsV1.size());
  return line;
}

}  // namespace s3us::cli

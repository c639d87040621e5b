// The predecessor's interface, `s3-user-script -b BUCKET [-k TEMPLATE] [-u URL] [-v]`
// (RunLegacy): what that mode checks and says beyond the plan it shares with `run`. There
// the user wrote no user data, only flags and one object, so every check names -b, -k or -u
// and the object, and the object must be something that runs, as the predecessor exec'd it.
#ifndef S3US_CLI_LEGACY_H_
#define S3US_CLI_LEGACY_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "expand/expander.h"
#include "expand/plan.h"
#include "run/handler.h"

namespace s3us::cli {

// -b's value is a bucket name and nothing more: the include entry is built from it, so a
// newline, a blank or a '/' must not become another entry, an option or a key.
// kInvalidInput naming -b (a usage error).
Status CheckLegacyBucket(std::string_view bucket);

// The one #s3-include entry -b names (the key comes from -k's template when it is expanded).
// REQUIRES: CheckLegacyBucket(bucket) is ok.
std::string LegacyIncludeDocument(std::string_view bucket);

// Why `plan` (the object -b named, expanded) has nothing that runs ("not a script (no #!
// line)"), or nullopt when a part of it runs a program.
std::optional<std::string> LegacyNothingToRun(const expand::Plan& plan,
                                              const run::Registry& registry);

// The object -b names, as its error lines name it: "s3://BUCKET/<key from -k>", with the
// template's own text when the key cannot be filled yet.
std::string LegacyObjectName(std::string_view bucket, std::string_view key_template,
                             const InstanceFacts& facts);

// Forgets the include line -b's document gave the parts that came straight from the object,
// so that run lines name them by the object alone ("part 1 of 1 (text/x-shellscript from
// s3://b/web-role/user-script)"), not by "line 2 of part 1" of a document the user never saw.
void ForgetLegacyDocument(expand::Plan& plan);

// What the key -k's template needs that the instance lacks, found before the fetch:
// kNoCredentials when the template names the role and IMDS has none ("the instance has no
// IAM role"), as the missing credentials it means.
Status CheckLegacyKeyFacts(std::string_view key_template, const InstanceFacts& facts);

// BuildPlan's error lines in -b mode: an expansion failure named by the object alone (the
// include document is ours, not the user's), and no advice naming a flag -b mode refuses.
std::vector<std::string> LegacyFailureLines(const std::vector<expand::ExpandFailure>& failures);
std::string LegacyAdvice(std::string line);

}  // namespace s3us::cli

#endif  // S3US_CLI_LEGACY_H_

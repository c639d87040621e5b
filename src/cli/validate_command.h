// `s3-user-script validate FILE` (also `plan --offline FILE`): checks user data without any
// network or credentials. Parses the blob as cloud-init would and prints the part tree; checks
// every include line (URL forms, bucket names, ARNs, sha256= pins, the key template for
// bucket-only lines), the limits that can be known offline (--max-parts, --max-objects), and
// every cloud-config part: well-formed YAML whose top level is a mapping, and, when cloud-init
// is installed, its schema (`cloud-init schema -c`, run directly, no shell). Exit 0 valid,
// 4 invalid with one error line per problem naming part and line.
#ifndef S3US_CLI_VALIDATE_COMMAND_H_
#define S3US_CLI_VALIDATE_COMMAND_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/options.h"
#include "userdata/part.h"

namespace s3us::cli {

struct Problem {
  int part = 0;  // 0: the document as a whole
  int line = 0;  // 0: the part as a whole
  std::string message;
};

// The checks that need no subprocess: {"valid", "parts", "problems"} as docs/json-schema.json
// describes, plus the include lines of each part under "lines" (for the tree).
nlohmann::json ValidateBlob(const std::string& blob, const Options& options);

int RunValidate(const Options& options);

// Appends a problem when a cloud-config part is not well-formed YAML whose top level is a
// mapping (what cloud-init would refuse): validate's check, which plan and replay share.
void CheckCloudConfigYaml(const userdata::Part& part, std::vector<Problem>& problems);

// "part 2 line 3: cloud-config: invalid YAML: ..." ("user data: ..." for part 0).
std::string ProblemLine(const Problem& problem);

// The part tree of ValidateBlob's "parts" for people, one line per part and per include line.
std::string RenderTree(const nlohmann::json& tree);

}  // namespace s3us::cli

#endif  // S3US_CLI_VALIDATE_COMMAND_H_

// `s3-user-script get URL...`: the instance-role downloader for the scripts we run.
// Same services (credentials, region, endpoint, retries, deadline) as `run`. Files are
// written atomically with their final mode from creation. All or nothing: every object
// lands in a temporary file beside its destination, and only when every one verified are
// they renamed into place; on any failure nothing is left and existing files are untouched.
#ifndef S3US_CLI_GET_COMMAND_H_
#define S3US_CLI_GET_COMMAND_H_

#include <optional>
#include <string>
#include <vector>

#include "cli/options.h"

namespace s3us::cli {

// The file name `get -d DIR` (or no destination) gives an object: the last segment of
// the key (or URL path), sanitised; empty when there is none.
std::string DestinationName(const std::string& url);

struct GetTarget {
  std::string url;
  std::string destination;  // empty: stdout, or nowhere when `discard`
  // -o /dev/null (as `aws s3 cp`, to check that an object can be fetched): fetched and
  // verified in a private directory, then dropped.
  bool discard = false;
  // A directory `-o NEWDIR/` names that does not exist yet: made (0755, not its parents)
  // right before the fetch, removed again when nothing was written in it.
  std::string new_dir;
};

// What is wrong with a URL given to `get` (not S3 in any spelling or http(s); a malformed
// S3 location; a bucket without a key; a version other than --version-id), or nullopt.
// Pure: no request.
std::optional<std::string> BadGetUrl(const std::string& url, const std::string& version_id = "");

// Where every URL goes, decided before any request. `-o` naming an existing directory, or
// ending in '/', is that directory with the object's name in it (DestinationName), as
// `aws s3 cp` takes it. Errors: kInvalidInput (a usage error: the first bad URL (BadGetUrl),
// a URL with no file name, two URLs landing on the same file), kIo (setup: -d DIR is not a
// directory; -o DIR/ names something else).
Result<std::vector<GetTarget>> PlanGet(const Options& options);

// The whole command: PlanGet, the services, every fetch. Prints one error line per failure;
// returns kExitOk, kExitUsage, kExitFetch or kExitSetup.
int RunGet(const Options& options);

}  // namespace s3us::cli

#endif  // S3US_CLI_GET_COMMAND_H_

// --json's promise: stdout carries exactly one JSON document, whatever happens. A command
// writes its document with WriteJsonDocument; every error line PrintError (and
// InterruptedExit) prints is kept as well, so that a command that ends without its document
// (a failed fetch, an unusable state dir, a bad command line) answers with one in its place,
// the `status` shape of docs/json-schema.json:
//   {"format": 1, "status": "error", "state_dir": DIR, "error": "LINE\nLINE..."}  (exit != 0)
//   {"format": 1, "status": "not run", "state_dir": DIR}     (exit 0: no user data, nothing ran)
// The error lines still go to stderr.
#ifndef S3US_CLI_JSON_OUTPUT_H_
#define S3US_CLI_JSON_OUTPUT_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "cli/options.h"

namespace s3us::cli {

// Writes `document` to stdout and flushes it: the command's one document (cli/result_output.h
// checks that it arrived).
void WriteJsonDocument(const nlohmann::json& document);

// Keeps one error line (without the "s3-user-script: error: " prefix) for the stand-in.
void RecordErrorLine(std::string_view line);
// The lines kept so far (a run's report of a failure before its first part carries them).
std::vector<std::string> RecordedErrorLines();

// The document in place of the one a command did not write: `lines` joined, secrets redacted.
nlohmann::json StandInDocument(int exit_code, const std::string& state_dir,
                               const std::vector<std::string>& lines);

// The state directory a command's document names: status's and run's (default or given),
// replay's when given; "" for commands without one.
std::string DocumentStateDir(const Options& options);

// Writes StandInDocument(exit_code, state_dir, the recorded lines) unless a document was
// written already.
void FinishJsonOutput(int exit_code, const std::string& state_dir);

}  // namespace s3us::cli

#endif  // S3US_CLI_JSON_OUTPUT_H_

// Usage errors people understand: CLI11's parse errors turned into one line naming the
// command or flag and what is accepted, with the nearest known name when one was mistyped
// ("unknown command 'pln'; did you mean plan?"), and the validators whose messages say what
// a flag accepts instead of CLI11's raw ranges. Pure: no I/O.
#ifndef S3US_CLI_USAGE_ERRORS_H_
#define S3US_CLI_USAGE_ERRORS_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"

namespace s3us::cli {

// The line (without the "s3-user-script: error: " prefix) for a parse error of `app`;
// `words` is the command line as parsed (after "--" every word is an argument).
std::string DescribeParseError(const CLI::ParseError& e, const CLI::App& app,
                               const std::vector<std::string>& words);

// `--state-dir=` with nothing after '=' (CLI11 would take the next word as the value),
// `--json=maybe`, a value given to a flag (CLI11's "Could not convert"), and `--region --json`,
// an option where a command's option needs its value. The usage error for the first such word
// before "--", if any.
std::optional<std::string> DescribeBadAssignment(const std::vector<std::string>& words,
                                                 const CLI::App& app);

// An option or argument of the parsed command given as an empty word (`--allowed-signers ''`,
// `replay ''`): a usage error, never the default, since a script's unset variable must not
// turn a check off or read another input. The line for the first one, if any.
std::optional<std::string> DescribeEmptyValue(const CLI::App& app);

// The known name closest to `typed` (a small edit distance, or a prefix); "" when none is.
std::string NearestName(const std::string& typed, const std::vector<std::string>& known);

// Names of the commands of `app` (visible subcommands), for suggestions and `help COMMAND`.
std::vector<std::string> CommandNames(const CLI::App& app);

// A whole number in [lo, hi], `what` naming the unit ("seconds", "parts"; "" for none).
CLI::Validator WholeNumber(long long lo, long long hi, const std::string& what);
// A byte size limit: digits with an optional unit (K, M, G, KiB, MB...: powers of 1024), as
// --max-total-bytes takes, from 1 byte (0 would turn the limit off, or refuse everything)
// to kMaxByteSize; the transform leaves the number of bytes.
inline constexpr uint64_t kMaxByteSize = 1ull << 50;  // 1 PiB: 1048576G
CLI::Validator ByteSize();
// kInvalidInput naming what is wrong: not a size, 0, or over kMaxByteSize.
Result<uint64_t> ParseByteSize(const std::string& text);
// 64 hexadecimal digits.
CLI::Validator Sha256Hex();
// A region name and an S3 endpoint URL, checked as the AWS configuration checks them
// (aws::CheckRegion, aws::CheckEndpointUrl); empty: not given.
CLI::Validator RegionName();
CLI::Validator EndpointUrl();

}  // namespace s3us::cli

#endif  // S3US_CLI_USAGE_ERRORS_H_

// The command line as main() hands it over: the program name, then `words`.
#ifndef S3US_TESTS_CLI_PARSE_WORDS_H_
#define S3US_TESTS_CLI_PARSE_WORDS_H_

#include <string>
#include <vector>

#include "cli/options.h"

namespace s3us::testing {

inline cli::ParsedCommandLine Parse(std::vector<std::string> words) {
  words.insert(words.begin(), "s3-user-script");
  return cli::ParseCommandLine(words);
}

}  // namespace s3us::testing

#endif  // S3US_TESTS_CLI_PARSE_WORDS_H_

// Progress on stderr for long downloads, only when stderr is a terminal: a sink decorator
// that counts bytes and redraws one line at most five times a second. Never used when
// stderr is a pipe or a file, so logs and CI output stay clean.
#ifndef S3US_CLI_PROGRESS_H_
#define S3US_CLI_PROGRESS_H_

#include <chrono>
#include <cstdio>
#include <string>

#include "net/transport.h"

namespace s3us::cli {

// "setup.tar.gz  12.3 MiB  45.1 MiB/s"
std::string FormatProgress(const std::string& name, uint64_t bytes, double seconds);

class ProgressSink : public net::BodySink {
 public:
  // `out` is written to only if `enabled`; `inner` receives every chunk unchanged.
  ProgressSink(net::BodySink& inner, std::string name, std::FILE* out, bool enabled);
  ~ProgressSink() override;

  Status Write(std::string_view chunk) override;
  Status Reset() override;

 private:
  void Draw(bool final);

  net::BodySink& inner_;
  std::string name_;
  std::FILE* out_;
  bool enabled_;
  uint64_t bytes_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_{};
  bool drawn_ = false;
};

// True when progress should be shown: stderr is a terminal and output is not quiet.
bool ShowProgress(bool quiet);

}  // namespace s3us::cli

#endif  // S3US_CLI_PROGRESS_H_

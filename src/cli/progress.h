// Progress on stderr, only when stderr is a terminal: a sink decorator for `get` (name, bytes
// of total, percent, rate, ETA; one line per object redrawn at most five times a second) and
// a fetcher decorator for `plan`/`run` (objects done of those asked for so far, shown once the
// fetches take longer than a second). With TERM=dumb the same lines are printed plainly, one
// at most every two seconds. Never used when stderr is a pipe or a file, so logs and CI
// output stay clean.
#ifndef S3US_CLI_PROGRESS_H_
#define S3US_CLI_PROGRESS_H_

#include <chrono>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>

#include "fetch/fetcher.h"
#include "net/transport.h"

namespace s3us::cli {

enum class ProgressMode { kOff, kRedraw, kPlain };

// kOff when quiet or stderr is not a terminal; kPlain on a TERM=dumb terminal.
ProgressMode ProgressModeFor(bool quiet);

// "setup.tar.gz  12.3 MiB of 96.0 MiB  12%  45.1 MiB/s  ETA 2s" (without a total:
// "setup.tar.gz  12.3 MiB  45.1 MiB/s").
std::string FormatProgress(const std::string& name, uint64_t bytes, std::optional<uint64_t> total,
                           double seconds);

// Draws one progress line on `out` in the given mode; thread-compatible.
class ProgressLine {
 public:
  ProgressLine(std::FILE* out, ProgressMode mode, std::chrono::milliseconds first_after);
  // Draws `text` if the interval since the last draw has passed (or `final`).
  void Update(const std::string& text, bool final);
  // Erases a redrawn line (kRedraw) that was drawn and not finished.
  void Clear();
  bool drawn() const { return drawn_; }
  double seconds() const;

 private:
  std::FILE* out_;
  ProgressMode mode_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point next_;
  bool drawn_ = false;
};

class ProgressSink : public net::BodySink {
 public:
  // `inner` receives every chunk unchanged; `out` is written to only when mode is not kOff.
  ProgressSink(net::BodySink& inner, std::string name, std::FILE* out, ProgressMode mode);
  ~ProgressSink() override;

  // Takes the total from the declared Content-Length, when there is one.
  Status Begin(const net::Response& head) override;
  Status Write(std::string_view chunk) override;
  Status Reset() override;

 private:
  net::BodySink& inner_;
  std::string name_;
  ProgressLine line_;
  uint64_t bytes_ = 0;
  std::optional<uint64_t> total_;
};

// "fetching: 3 of 7 objects" while a plan's includes are fetched.
class ProgressFetcher : public fetch::Fetcher {
 public:
  ProgressFetcher(fetch::Fetcher& inner, std::FILE* out, ProgressMode mode);
  ~ProgressFetcher() override;
  using fetch::Fetcher::Fetch;
  Result<fetch::FetchedObject> Fetch(const fetch::Target& target,
                                     const fetch::FetchOptions& options) override;

 private:
  fetch::Fetcher& inner_;
  std::mutex mu_;
  ProgressLine line_;  // guarded by mu_
  int asked_ = 0;      // guarded by mu_
  int done_ = 0;       // guarded by mu_
};

}  // namespace s3us::cli

#endif  // S3US_CLI_PROGRESS_H_

// Progress on stderr, only when stderr is a terminal: a sink decorator for `get` (name, bytes
// of total, percent, rate, ETA; one line per object redrawn at most five times a second) and
// a fetcher decorator for `plan`/`run` (objects done of those known so far, shown once the
// fetches take longer than a second, and redrawn on a timer while they run). With TERM=dumb the
// same lines are printed plainly, one at most every two seconds. Never used when stderr is a pipe
// or a file, so logs and CI output stay clean.
#ifndef S3US_CLI_PROGRESS_H_
#define S3US_CLI_PROGRESS_H_

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

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

// "fetching: 3 of 7 objects" while a plan's includes are fetched: done of known so far
// (queued ones included, as the expander finds them). The line is redrawn on a timer, so a
// single slow object shows "fetching: 0 of 1 object" while it runs.
class ProgressFetcher : public fetch::Fetcher {
 public:
  // Nothing is drawn before `first_after`.
  ProgressFetcher(fetch::Fetcher& inner, std::FILE* out, ProgressMode mode,
                  std::chrono::milliseconds first_after = std::chrono::seconds(1));
  // Stops the timer and erases the line.
  ~ProgressFetcher() override;
  ProgressFetcher(const ProgressFetcher&) = delete;
  ProgressFetcher& operator=(const ProgressFetcher&) = delete;

  // The number of objects known so far, started or queued (ExpandOptions::objects_asked).
  void Known(size_t objects);
  using fetch::Fetcher::Fetch;
  Result<fetch::FetchedObject> Fetch(const fetch::Target& target,
                                     const fetch::FetchOptions& options) override;
  Result<std::optional<std::string>> VerifyKept(std::string_view body, std::string_view signature,
                                                const fetch::FetchOptions& options) override {
    return inner_.VerifyKept(body, signature, options);
  }

 private:
  void Draw();  // REQUIRES: mu_ held
  void Redraw();

  fetch::Fetcher& inner_;
  std::mutex mu_;
  std::condition_variable stop_;
  bool stopping_ = false;  // guarded by mu_
  ProgressLine line_;      // guarded by mu_
  size_t known_ = 0;       // guarded by mu_: the expander's count, or started_ when more
  size_t started_ = 0;     // guarded by mu_
  size_t done_ = 0;        // guarded by mu_
  std::thread timer_;      // runs Redraw; only when the line is drawn at all
};

}  // namespace s3us::cli

#endif  // S3US_CLI_PROGRESS_H_

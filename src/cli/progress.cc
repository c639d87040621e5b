#include "cli/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "core/strings.h"
#include "net/verifying_sink.h"

namespace s3us::cli {
namespace {

constexpr auto kRedrawInterval = std::chrono::milliseconds(200);
constexpr auto kPlainInterval = std::chrono::milliseconds(2000);

std::string Duration(double seconds) {
  auto s = static_cast<uint64_t>(std::llround(seconds));
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m" + std::to_string(s % 60) + "s";
  return std::to_string(s / 3600) + "h" + std::to_string(s / 60 % 60) + "m";
}

}  // namespace

ProgressMode ProgressModeFor(bool quiet) {
  if (quiet || isatty(STDERR_FILENO) != 1) return ProgressMode::kOff;
  const char* term = std::getenv("TERM");
  return term != nullptr && std::string_view(term) == "dumb" ? ProgressMode::kPlain
                                                             : ProgressMode::kRedraw;
}

std::string FormatProgress(const std::string& name, uint64_t bytes, std::optional<uint64_t> total,
                           double seconds) {
  std::string line = name + "  " + HumanBytes(bytes);
  if (total) {
    line += " of " + HumanBytes(*total);
    if (*total > 0)
      line += "  " + std::to_string(std::min<uint64_t>(bytes, *total) * 100 / *total) + "%";
  }
  if (seconds > 0.05) {
    double rate = static_cast<double>(bytes) / seconds;
    line += "  " + HumanBytes(static_cast<uint64_t>(rate)) + "/s";
    if (total && rate > 0 && bytes < *total) {
      line += "  ETA " + Duration(static_cast<double>(*total - bytes) / rate);
    }
  }
  return line;
}

ProgressLine::ProgressLine(std::FILE* out, ProgressMode mode, std::chrono::milliseconds first_after)
    : out_(out),
      mode_(mode),
      start_(std::chrono::steady_clock::now()),
      next_(start_ + first_after) {}

double ProgressLine::seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProgressLine::Update(const std::string& text, bool final) {
  if (mode_ == ProgressMode::kOff) return;
  auto now = std::chrono::steady_clock::now();
  if (!final && now < next_) return;
  next_ = now + (mode_ == ProgressMode::kPlain ? kPlainInterval : kRedrawInterval);
  if (mode_ == ProgressMode::kPlain) {
    std::fprintf(out_, "%s\n", text.c_str());
  } else {
    // \r and erase-to-end-of-line redraw in place on a terminal.
    std::fprintf(out_, "\r\033[K%s%s", text.c_str(), final ? "\n" : "");
  }
  std::fflush(out_);
  drawn_ = !final;
}

void ProgressLine::Clear() {
  if (mode_ == ProgressMode::kRedraw && drawn_) {
    std::fprintf(out_, "\r\033[K");
    std::fflush(out_);
  }
  drawn_ = false;
}

ProgressSink::ProgressSink(net::BodySink& inner, std::string name, std::FILE* out,
                           ProgressMode mode)
    : inner_(inner), name_(std::move(name)), line_(out, mode, kRedrawInterval) {}

// The last state of an object that took long enough to be shown stays on its own line.
ProgressSink::~ProgressSink() {
  if (line_.drawn()) line_.Update(FormatProgress(name_, bytes_, total_, line_.seconds()), true);
}

Status ProgressSink::Write(std::string_view chunk) {
  bytes_ += chunk.size();
  line_.Update(FormatProgress(name_, bytes_, total_, line_.seconds()), false);
  return inner_.Write(chunk);
}

Status ProgressSink::Reset() {
  bytes_ = 0;
  return inner_.Reset();
}

Status ProgressSink::Begin(const net::Response& head) {
  total_ = net::ParseContentLength(head.Header("content-length"));
  return inner_.Begin(head);
}

ProgressFetcher::ProgressFetcher(fetch::Fetcher& inner, std::FILE* out, ProgressMode mode,
                                 std::chrono::milliseconds first_after)
    : inner_(inner), line_(out, mode, first_after) {
  if (mode != ProgressMode::kOff) timer_ = std::thread([this] { Redraw(); });
}

ProgressFetcher::~ProgressFetcher() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
  }
  stop_.notify_all();
  if (timer_.joinable()) timer_.join();
  line_.Clear();
}

// The redraw cadence; ProgressLine keeps to its own (every two seconds with TERM=dumb).
void ProgressFetcher::Redraw() {
  std::unique_lock<std::mutex> l(mu_);
  while (!stop_.wait_for(l, kRedrawInterval, [this] { return stopping_; })) Draw();
}

void ProgressFetcher::Draw() {
  if (known_ == 0) return;
  line_.Update("fetching: " + std::to_string(done_) + " of " + std::to_string(known_) + " object" +
                   (known_ == 1 ? "" : "s"),
               false);
}

void ProgressFetcher::Known(size_t objects) {
  std::lock_guard<std::mutex> l(mu_);
  known_ = std::max(known_, objects);
}

Result<fetch::FetchedObject> ProgressFetcher::Fetch(const fetch::Target& target,
                                                    const fetch::FetchOptions& options) {
  {
    std::lock_guard<std::mutex> l(mu_);
    // Without the expander's count (or ahead of it), the fetches started are what is known.
    known_ = std::max(known_, ++started_);
  }
  Result<fetch::FetchedObject> got = inner_.Fetch(target, options);
  std::lock_guard<std::mutex> l(mu_);
  ++done_;
  Draw();
  return got;
}

}  // namespace s3us::cli

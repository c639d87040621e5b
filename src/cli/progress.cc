#include "cli/progress.h"

#include <unistd.h>

#include "core/strings.h"

namespace s3us::cli {
namespace {
constexpr auto kRedrawInterval = std::chrono::milliseconds(200);
}  // namespace

std::string FormatProgress(const std::string& name, uint64_t bytes, double seconds) {
  std::string line = name + "  " + HumanBytes(bytes);
  if (seconds > 0.05) {
    line += "  " + HumanBytes(static_cast<uint64_t>(static_cast<double>(bytes) / seconds)) + "/s";
  }
  return line;
}

ProgressSink::ProgressSink(net::BodySink& inner, std::string name, std::FILE* out, bool enabled)
    : inner_(inner),
      name_(std::move(name)),
      out_(out),
      enabled_(enabled),
      start_(std::chrono::steady_clock::now()) {}

ProgressSink::~ProgressSink() {
  if (drawn_) Draw(true);
}

Status ProgressSink::Write(std::string_view chunk) {
  bytes_ += chunk.size();
  if (enabled_) {
    auto now = std::chrono::steady_clock::now();
    if (now - last_draw_ >= kRedrawInterval && now - start_ >= kRedrawInterval) {
      last_draw_ = now;
      Draw(false);
    }
  }
  return inner_.Write(chunk);
}

Status ProgressSink::Reset() {
  bytes_ = 0;
  return inner_.Reset();
}

void ProgressSink::Draw(bool final) {
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  // \r and erase-to-end-of-line redraw in place on a terminal.
  std::fprintf(out_, "\r\033[K%s%s", FormatProgress(name_, bytes_, seconds).c_str(),
               final ? "\n" : "");
  std::fflush(out_);
  drawn_ = true;
}

bool ShowProgress(bool quiet) { return !quiet && isatty(STDERR_FILENO) == 1; }

}  // namespace s3us::cli

#include "cli/get_command.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "cli/exit_codes.h"
#include "cli/progress.h"
#include "core/files.h"
#include "core/log.h"
#include "core/secret.h"
#include "net/sinks.h"

namespace s3us::cli {
namespace {

struct Target {
  std::string url;
  std::string destination;  // empty: stdout
};

Status CopyToStdout(int fd) {
  if (lseek(fd, 0, SEEK_SET) != 0) return Error(ErrorCode::kIo, "cannot rewind temporary file");
  char buf[1 << 16];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) return Error(ErrorCode::kIo, "cannot read temporary file");
    if (n == 0) return Ok();
    if (std::fwrite(buf, 1, static_cast<size_t>(n), stdout) != static_cast<size_t>(n)) {
      return Error(ErrorCode::kIo, "cannot write to standard output");
    }
  }
}

// Stdout cannot be un-written, so the object lands in a private temporary file first and
// is copied out only once it is verified.
Status FetchOne(const Options& options, Services& s, const Target& t) {
  std::string temp_dir;
  std::string destination = t.destination;
  if (destination.empty()) {
    Result<std::string> dir = MakePrivateTempDir("s3-user-script-get-");
    if (!dir.ok()) return dir.error();
    temp_dir = *dir;
    destination = temp_dir + "/object";
  }
  Status result = [&]() -> Status {
    Result<net::FileSink> sink = net::FileSink::Create(destination, options.mode);
    if (!sink.ok()) return sink.error();
    ProgressSink progress(sink.value(), DestinationName(t.url), stderr,
                          ShowProgress(options.quiet));
    fetch::FetchOptions fo;
    if (!options.sha256.empty()) fo.expected_sha256 = options.sha256;
    fo.version_id = options.version_id;
    fo.sink = &progress;
    fo.deadline = s.deadline;
    Result<fetch::FetchedObject> got = s.fetcher->Fetch(t.url, fo);
    if (!got.ok()) return got.error();
    LogInfo("fetched " + RedactUrl(t.url) + " (" + std::to_string(got->source.size) +
            " bytes, verified: " + got->source.verified_by + ")");
    if (t.destination.empty()) return CopyToStdout(sink->file().fd());
    return sink->Commit();
  }();
  if (!temp_dir.empty()) {
    unlink(destination.c_str());
    rmdir(temp_dir.c_str());
  }
  return result;
}

}  // namespace

std::string DestinationName(const std::string& url) {
  std::string path = url.substr(0, url.find_first_of("?#"));
  std::string name = path.substr(path.rfind('/') + 1);
  if (path.rfind("arn:", 0) == 0 && path.find('/') == std::string::npos) name.clear();
  std::string out;
  for (unsigned char c : name) {
    out += (c < 0x20 || c == 0x7f || c == '/') ? '_' : static_cast<char>(c);
  }
  if (out == "." || out == "..") out.clear();
  return out;
}

int RunGet(const Options& options, Services& services) {
  std::vector<Target> targets;
  for (const std::string& url : options.urls) {
    Target t{url, ""};
    if (options.output == "-") {
      t.destination.clear();
    } else if (!options.output.empty()) {
      t.destination = options.output;
    } else {
      std::string name = DestinationName(url);
      if (name.empty()) {
        PrintError(RedactUrl(url) + ": no file name in the URL; use -o DEST");
        return kExitUsage;
      }
      t.destination = (options.output_dir.empty() ? "." : options.output_dir) + "/" + name;
    }
    targets.push_back(std::move(t));
  }

  std::vector<Status> results(targets.size());
  std::vector<std::thread> workers;
  std::mutex next_mu;
  size_t next = 0;
  size_t threads = std::min<size_t>(targets.size(), 16);
  for (size_t w = 0; w < threads; ++w) {
    workers.emplace_back([&] {
      for (;;) {
        size_t i;
        {
          std::lock_guard<std::mutex> l(next_mu);
          if (next >= targets.size()) return;
          i = next++;
        }
        results[i] = FetchOne(options, services, targets[i]);
      }
    });
  }
  for (auto& w : workers) w.join();

  int exit_code = kExitOk;
  for (size_t i = 0; i < targets.size(); ++i) {
    if (results[i].ok()) continue;
    const Error& e = results[i].error();
    PrintError(e.ToString());  // the fetcher's context already names the URL
    exit_code = WorseExit(exit_code, ExitCodeFor(e.code()));
  }
  std::fflush(stdout);
  return exit_code;
}

}  // namespace s3us::cli

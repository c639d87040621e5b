#include "cli/get_command.h"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>

#include "cli/exit_codes.h"
#include "cli/progress.h"
#include "cli/result_output.h"
#include "cli/services.h"
#include "cli/trust_config.h"
#include "core/files.h"
#include "core/log.h"
#include "core/parallel.h"
#include "core/private_paths.h"
#include "core/secret.h"
#include "core/strings.h"
#include "fetch/signed_fetcher.h"
#include "fetch/target.h"
#include "net/sinks.h"

namespace s3us::cli {
namespace {

// A failed write to stdout, once cli/result_output.h knows it (it tells it, and decides the
// exit code).
Error StdoutError() { return Error(ErrorCode::kIo, "cannot write to standard output"); }

// The rest of the file from `offset`, through user space (what sendfile refuses).
Status CopyToStdoutByReads(int fd, off_t offset) {
  char buf[1 << 16];
  for (;;) {
    ssize_t n = pread(fd, buf, sizeof buf, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error(ErrorCode::kIo, "cannot read temporary file");
    if (n == 0) return Ok();
    if (!WriteResult(std::string_view(buf, static_cast<size_t>(n)))) return StdoutError();
    offset += n;
  }
}

// Copies the verified temporary file to stdout in the kernel: sendfile(2) writes to pipes
// and files (Linux 2.6.33). Where it refuses (EINVAL/ENOSYS: a file opened O_APPEND; on
// some kernels a terminal or a socket type) the rest goes through CopyToStdoutByReads.
Status CopyToStdout(int fd) {
  if (!WriteResult("")) return StdoutError();
  off_t offset = 0;
  for (;;) {
    ssize_t n = sendfile(STDOUT_FILENO, fd, &offset, size_t{1} << 30);
    if (n > 0) continue;  // perhaps partial: sendfile moved `offset` past what it wrote
    if (n == 0) return Ok();
    if (errno == EINTR) continue;
    if (errno == EINVAL || errno == ENOSYS) return CopyToStdoutByReads(fd, offset);
    StdoutFailed(errno);
    return StdoutError();
  }
}

// Fetches one object into a temporary file beside its destination (or, for stdout, in a
// private directory, copied out once verified). The file is renamed into place by the
// caller once every object of the command verified.
Result<std::optional<net::FileSink>> FetchOne(const Options& options, Services& s,
                                              fetch::Fetcher& fetcher, const GetTarget& t) {
  std::string temp_dir;
  std::string destination = t.destination;
  if (destination.empty()) {
    Result<std::string> dir = MakePrivateTempDir("s3-user-script-get-");
    if (!dir.ok()) return dir.error();
    temp_dir = *dir;
    destination = temp_dir + "/object";
  }
  Result<std::optional<net::FileSink>> result = [&]() -> Result<std::optional<net::FileSink>> {
    Result<net::FileSink> sink = net::FileSink::Create(destination, options.mode);
    if (!sink.ok()) return sink.error();
    ProgressSink progress(sink.value(), DestinationName(t.url), stderr,
                          ProgressModeFor(options.quiet || options.no_progress));
    fetch::FetchOptions fo;
    if (!options.sha256.empty()) fo.expected_sha256 = options.sha256;
    fo.version_id = options.version_id;
    fo.sink = &progress;
    fo.record_sha256 = false;  // hash only what verification needs
    fo.deadline = s.deadline;
    Result<fetch::FetchedObject> got = fetcher.Fetch(t.url, fo);
    if (!got.ok()) return got.error();
    LogInfo("fetched " + RedactUrl(t.url) + " (" + std::to_string(got->source.size) +
            " bytes, verified: " + got->source.verified_by + ")");
    if (!t.destination.empty()) return std::optional<net::FileSink>(std::move(sink).value());
    if (t.discard) return std::optional<net::FileSink>();
    if (Status copied = CopyToStdout(sink->file().fd()); !copied.ok()) return copied.error();
    return std::optional<net::FileSink>();  // the temporary file goes with the sink
  }();
  if (!temp_dir.empty()) rmdir(temp_dir.c_str());
  return result;
}

using Fetched = std::optional<Result<std::optional<net::FileSink>>>;

// The directory `-o NEWDIR/` makes: removed again, empty, unless the command kept it.
class NewDirectory {
 public:
  static Result<NewDirectory> Make(const std::string& path) {
    if (mkdir(path.c_str(), 0755) != 0) {
      return Error(ErrorCode::kIo,
                   "-o " + path + ": cannot create the directory: " + std::strerror(errno));
    }
    return NewDirectory(path);
  }
  NewDirectory(NewDirectory&& other) noexcept : path_(std::move(other.path_)) {
    other.path_.clear();
  }
  NewDirectory(const NewDirectory&) = delete;
  NewDirectory& operator=(const NewDirectory&) = delete;
  ~NewDirectory() {
    if (!path_.empty()) rmdir(path_.c_str());
  }
  void Keep() { path_.clear(); }

 private:
  explicit NewDirectory(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// Renames every verified file into place. A destination that is no longer a regular file
// is found before any rename; a rename the file system refuses (an immutable file) stops
// the rest, and the line says how many were already in place. Returns the exit code.
int CommitAll(const std::vector<GetTarget>& targets, std::vector<Fetched>& results) {
  for (const GetTarget& t : targets) {
    if (t.destination.empty()) continue;  // stdout
    if (Status replaceable = CheckReplaceable(t.destination); !replaceable.ok()) {
      PrintError("writing " + t.destination + ": " + replaceable.error().message() +
                 "; nothing was written");
      return kExitSetup;
    }
  }
  size_t done = 0;
  for (size_t i = 0; i < targets.size(); ++i) {
    std::optional<net::FileSink>& sink = results[i]->value();
    if (!sink) continue;  // written to stdout
    if (Status st = sink->Commit(); !st.ok()) {
      std::string written = done == 0
                                ? "nothing was written"
                                : std::to_string(done) + " of " + std::to_string(targets.size()) +
                                      " files were already in place, the rest not";
      PrintError(st.error().WithContext("writing " + targets[i].destination).ToString() + "; " +
                 written);
      return ExitCodeFor(st.error().code());
    }
    ++done;
  }
  return kExitOk;
}

// Prints one error line per failed URL; returns kExitOk, kExitFetch or kExitSetup.
// `signers`: the configured trust, which every object must then meet (null: none).
int FetchAll(const Options& options, const std::vector<GetTarget>& targets, Services& services,
             const trust::AllowedSigners* signers) {
  fetch::SignedFetcher fetcher(*services.fetcher, signers, *services.clock);
  std::vector<Fetched> results(targets.size());
  ParallelFor(targets.size(), 16, [&](size_t i) {
    results[i].emplace(FetchOne(options, services, fetcher, targets[i]));
  });

  int exit_code = kExitOk;
  for (size_t i = 0; i < targets.size(); ++i) {
    if (results[i]->ok()) continue;
    const Error& e = results[i]->error();
    // The fetcher's context already names the URL; a failed write to stdout was told.
    if (!targets[i].destination.empty() || !StdoutBroken()) PrintError(e.ToString());
    exit_code = WorseExit(exit_code, ExitCodeFor(e.code()));
  }
  // All or nothing: the temporary files of a failed command are removed with their sinks.
  if (exit_code == kExitOk) exit_code = CommitAll(targets, results);
  std::fflush(stdout);
  return exit_code;
}

}  // namespace

std::string DestinationName(const std::string& url) {
  // An S3 location's name is its key's, decoded (both spellings of one key agree); any
  // other URL's is the last segment of its path, as curl -O takes it; only an authority
  // ("http://user:pass@host") is no name.
  fetch::Target target = fetch::ResolveTarget(url);
  std::string name;
  if (target.s3.ok()) {
    name = target.s3->key.substr(target.s3->key.rfind('/') + 1);
  } else {
    std::string path = url.substr(0, url.find_first_of("?#"));
    size_t authority = path.find("://");
    if (authority != std::string::npos && path.find('/', authority + 3) == std::string::npos) {
      return "";
    }
    name = path.substr(path.rfind('/') + 1);
  }
  std::string out;
  for (unsigned char c : name) {
    out += (c < 0x20 || c == 0x7f || c == '/') ? '_' : static_cast<char>(c);
  }
  if (out == "." || out == "..") out.clear();
  return out;
}

std::optional<std::string> BadGetUrl(const std::string& url, const std::string& version_id) {
  fetch::Target target = fetch::ResolveTarget(url);
  // Two versions named: which one is meant is unknown.
  if (!version_id.empty() && target.s3.ok() && !target.s3->version_id.empty() &&
      target.s3->version_id != version_id) {
    return "names version " + target.s3->version_id + ", --version-id " + version_id;
  }
  switch (target.route) {
    case fetch::Route::kPlain:
      return std::nullopt;
    case fetch::Route::kUnsupported: {
      std::string scheme = fetch::SchemeOf(url);
      return (scheme.empty() ? std::string("not a URL")
                             : "unsupported URL scheme \"" + scheme + "\"") +
             " (use s3://, an S3 ARN, https:// or http://)";
    }
    case fetch::Route::kS3:
      break;
  }
  if (!target.s3.ok()) return target.s3.error().message();  // the caller names the URL
  if (!target.s3->has_key()) {
    return "names bucket \"" + target.s3->bucket + "\" but no object key (give s3://BUCKET/KEY)";
  }
  return std::nullopt;
}

namespace {

// The null device under any name: a file there can be neither made nor replaced.
bool IsDevNull(const std::string& path) {
  struct stat st {};
  struct stat null {};
  return stat(path.c_str(), &st) == 0 && S_ISCHR(st.st_mode) && stat("/dev/null", &null) == 0 &&
         st.st_rdev == null.st_rdev;
}

// `-o DEST` as a directory to put the object in: one that exists, or any name ending in '/'
// (a new one is made). nullopt: DEST is the file itself.
Result<std::optional<std::string>> OutputDirectory(const std::string& output) {
  // Without its trailing '/' (stat of "file/" fails with ENOTDIR, as if nothing were there).
  std::string bare = output;
  while (bare.size() > 1 && bare.back() == '/') bare.pop_back();
  struct stat st {};
  bool exists = stat(bare.c_str(), &st) == 0;
  if (exists && S_ISDIR(st.st_mode)) return std::optional<std::string>(output);
  if (!output.ends_with('/')) return std::optional<std::string>();
  if (exists) return Error(ErrorCode::kIo, "-o " + output + ": not a directory");
  return std::optional<std::string>(output);
}

}  // namespace

Result<std::vector<GetTarget>> PlanGet(const Options& options) {
  // A bad URL is a bad command line: found before anything else, and before any request.
  for (const std::string& url : options.urls) {
    if (std::optional<std::string> bad = BadGetUrl(url, options.version_id)) {
      return Error(ErrorCode::kInvalidInput,
                   (url.empty() ? "''" : Printable(RedactUrl(url))) + ": " + *bad);
    }
  }
  std::string dir = options.output_dir.empty() ? "." : options.output_dir;
  if (!options.output_dir.empty()) {
    struct stat st {};
    if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return Error(ErrorCode::kIo, "-d " + dir + ": not a directory");
    }
  }
  std::optional<std::string> output_dir;
  if (!options.output.empty() && options.output != "-") {
    Result<std::optional<std::string>> named = OutputDirectory(options.output);
    if (!named.ok()) return named.error();
    output_dir = *named;
  }
  std::vector<GetTarget> targets;
  std::map<std::string, std::string> taken;  // destination → URL
  for (const std::string& url : options.urls) {
    GetTarget t;
    t.url = url;
    if (output_dir) {
      std::string name = DestinationName(url);
      if (name.empty()) {
        return Error(ErrorCode::kInvalidInput,
                     RedactUrl(url) + ": no file name in the URL; use -o FILE");
      }
      t.destination = *output_dir + (output_dir->ends_with('/') ? "" : "/") + name;
      struct stat st {};
      if (stat(output_dir->c_str(), &st) != 0) t.new_dir = *output_dir;
    } else if (!options.output.empty()) {
      t.discard = IsDevNull(options.output);
      t.destination = options.output == "-" || t.discard ? "" : options.output;
    } else {
      std::string name = DestinationName(url);
      if (name.empty()) {
        return Error(ErrorCode::kInvalidInput,
                     RedactUrl(url) + ": no file name in the URL; use -o DEST");
      }
      t.destination = dir + "/" + name;
      auto [it, fresh] = taken.emplace(t.destination, url);
      if (!fresh) {
        return Error(ErrorCode::kInvalidInput, RedactUrl(it->second) + " and " + RedactUrl(url) +
                                                   " would both be written to " + t.destination +
                                                   "; use -o DEST for each");
      }
    }
    targets.push_back(std::move(t));
  }
  return targets;
}

int RunGet(const Options& options) {
  Result<std::vector<GetTarget>> targets = PlanGet(options);
  if (!targets.ok()) {
    PrintError("get: " + targets.error().ToString());
    return targets.error().code() == ErrorCode::kInvalidInput ? kExitUsage
                                                              : ExitCodeFor(targets.error().code());
  }
  // The trust every fetching command applies: a script that `get`s its next step must not
  // be the way around it.
  Result<std::optional<trust::AllowedSigners>> signers = LoadTrust(options, kSystemAllowedSigners);
  if (!signers.ok()) return SetupFailure(signers.error());
  Result<std::unique_ptr<Services>> built = BuildServices(options, Where::kWorkstation);
  if (!built.ok()) return SetupFailure(built.error());
  // Only the region is needed from IMDS, and only when nothing configures it.
  Services& s = **built;
  if (Status st = ConnectServices(options, Where::kWorkstation, s.config.region.empty(), s);
      !st.ok()) {
    return SetupFailure(st.error());
  }
  std::optional<NewDirectory> made;
  for (const GetTarget& t : *targets) {
    if (t.new_dir.empty()) continue;
    Result<NewDirectory> dir = NewDirectory::Make(t.new_dir);
    if (!dir.ok()) return SetupFailure(dir.error());
    made.emplace(std::move(dir).value());
  }
  int code = FetchAll(options, *targets, s, *signers ? &**signers : nullptr);
  if (made && code == kExitOk) made->Keep();
  return code;
}

}  // namespace s3us::cli

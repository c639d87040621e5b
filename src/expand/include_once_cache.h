// IncludeOnceCache: the bodies of #include-once URLs, kept so later runs on the same
// instance reuse them instead of fetching again (cloud-init's urlcache; it is what lets an
// expiring pre-signed URL keep working on later boots). The caller passes a per-instance
// directory. Files are named by the SHA-256 of the URL as written, created 0600 in a 0700
// directory and replaced atomically, so a crash never leaves a truncated body behind;
// a directory or entry another user owns or may write to is refused, never read. Beside
// each body ("<name>.sig") the signature that verified it when it was fetched (none when
// none did), staged and kept with it: the cache records no trust, so a body is reused
// under trust only when that signature verifies it under the trust of the run reusing it.
// Not thread-safe: the expander uses it from its coordinating thread only.
#ifndef S3US_EXPAND_INCLUDE_ONCE_CACHE_H_
#define S3US_EXPAND_INCLUDE_ONCE_CACHE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "userdata/payload.h"

namespace s3us::expand {

class IncludeOnceCache {
 public:
  // dir empty: the cache is off (Open finds nothing, Store does nothing). read_only: Open
  // and Signature read it, Store does nothing (a dry run).
  explicit IncludeOnceCache(std::string dir, bool read_only = false)
      : dir_(std::move(dir)), read_only_(read_only) {}

  bool enabled() const { return !dir_.empty(); }
  // The cached body's file opened for reading (never through a symlink), nullopt when
  // absent. The caller closes it. What another user could have written would run as us:
  // the directory must pass OpenPrivateDir (core/private_paths.h: ours, not group/other writable,
  // every ancestor safe) and the entry be a regular file of ours that neither group nor
  // others may write (kUnsafePath otherwise). Errors: kIo, kUnsafePath.
  Result<std::optional<int>> Open(std::string_view url) const;
  // The signature kept with the body of `url`, read with the same checks as Open; nullopt
  // when none was kept (a body cached by an older version). Errors: kIo, kUnsafePath,
  // kLimitExceeded.
  Result<std::optional<std::string>> Signature(std::string_view url) const;
  // Writes the body and its signature (empty: none, and one kept with an earlier body is
  // removed) beside where Open looks (PathFor +
  // ".staged"): they are kept only once the plan they belong to was accepted
  // (CommitIncludeOnce), so a body that failed the plan (a corrupt gzip, invalid
  // cloud-config) is fetched again next time instead of failing every boot. Errors: kIo,
  // kUnsafePath (the directory is a symlink or not ours).
  Status Store(std::string_view url, const userdata::Payload& body, std::string_view signature);
  // The staged bodies' final paths, for the Plan; this cache no longer drops them.
  std::vector<std::string> TakeStaged();
  // Where the body of `url` lives.
  std::string PathFor(std::string_view url) const;

  IncludeOnceCache(const IncludeOnceCache&) = delete;
  IncludeOnceCache& operator=(const IncludeOnceCache&) = delete;
  // Drops what is still staged: the expansion failed.
  ~IncludeOnceCache();

 private:
  // The checked entry `name` of the directory opened for reading; nullopt when absent.
  Result<std::optional<int>> OpenEntry(const std::string& name) const;

  std::string dir_;
  bool read_only_ = false;
  std::vector<std::string> staged_;  // final paths
};

// Keeps the staged bodies of an accepted plan (renamed into place); a failure is returned
// after trying them all. DropIncludeOnce removes them instead.
Status CommitIncludeOnce(const std::vector<std::string>& staged);
void DropIncludeOnce(const std::vector<std::string>& staged);

}  // namespace s3us::expand

#endif  // S3US_EXPAND_INCLUDE_ONCE_CACHE_H_

#include "expand/object_slot.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <utility>

#include "core/log.h"
#include "expand/body_sink.h"
#include "fetch/verify.h"
#include "net/verifying_sink.h"
#include "userdata/gzip.h"

namespace s3us::expand {
namespace {

// A fetched object that is not MIME is one part that cloud-init would call "part-001";
// the object's own name ("setup.sh") says more in plans, reports and the scripts folder.
void NameSinglePartObject(std::vector<userdata::Part>& parts, const userdata::Source& source) {
  if (parts.size() != 1) return;
  userdata::Part& part = parts.front();
  bool single = part.declared_type.empty() || part.declared_type == userdata::kTypeNotMultipart;
  if (!single) return;
  std::string_view path = source.key.empty() ? std::string_view(source.url) : source.key;
  path = path.substr(0, path.find_first_of("?#"));
  std::string_view name = path.substr(path.rfind('/') + 1);
  if (!name.empty()) part.filename = std::string(name);
}

// A cached body through the one streaming verifier every fetched body passes: the size
// limit while it streams, the pin at the end. Evidence beyond the pin is the cache's own
// (it held only verified bodies), which the caller names.
Result<net::VerifiedBody> StreamVerified(int fd, const fetch::FetchOptions& pin, uint64_t max_bytes,
                                         SpillSink& body) {
  Result<std::optional<net::Expectation>> expectation = fetch::PinExpectation(pin);
  if (!expectation.ok()) return expectation.error();
  net::VerifyingSink verifier(max_bytes, &body, /*record_sha256=*/true);
  if (*expectation) verifier.Expect(std::move(**expectation));
  net::Response head;
  head.status = 200;
  if (Status s = verifier.Begin(head); !s.ok()) return s.error();
  std::string chunk(256 * 1024, '\0');
  for (;;) {
    ssize_t n = read(fd, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error(ErrorCode::kIo, std::string("cannot read: ") + std::strerror(errno));
    if (n == 0) break;
    Status s = verifier.Write(std::string_view(chunk.data(), static_cast<size_t>(n)));
    if (!s.ok()) return s.error();
  }
  return verifier.Finish(head);
}

// A large MIME object, or what a gzip object holds when that is MIME, is split from a
// read-only mapping of its file (pages given back behind each pass), and its parts go to
// work files as they are split; a base64 part is decoded in memory first. One at a time,
// so memory holds at most one such object whatever --max-parallel is. Small objects that
// are not gzip parse freely.
std::mutex& LargeObjectParse() {
  static std::mutex m;
  return m;
}

// Parts the decoded writer did not see (those a #cloud-config-archive holds) move to work
// files when large.
Status SpillLargeParts(std::vector<userdata::Part>& parts, const std::string& work_dir) {
  for (userdata::Part& part : parts) {
    const std::string* bytes = part.payload.memory();
    if (bytes == nullptr || bytes->size() <= SpillSink::kInMemoryBytes) continue;
    DecodedWriter file(work_dir);
    if (Status s = file.Write(*bytes); !s.ok()) return s;
    Result<userdata::Payload> payload = file.Finish();
    if (!payload.ok()) return payload.error();
    part.payload = std::move(*payload);
  }
  return Ok();
}

Result<std::vector<userdata::Part>> ParseBody(const userdata::Payload& body,
                                              userdata::ParseOptions parse,
                                              const std::string& work_dir) {
  if (work_dir.empty()) return userdata::ParseObject(body, parse);
  parse.new_decoded_writer = [&work_dir] { return std::make_unique<DecodedWriter>(work_dir); };
  std::unique_lock<std::mutex> one_at_a_time(LargeObjectParse(), std::defer_lock);
  if (!body.in_memory() || userdata::HasGzipMagic(body.head())) one_at_a_time.lock();
  Result<std::vector<userdata::Part>> parts = userdata::ParseObject(body, parse);
  if (!parts.ok()) return parts;
  if (Status s = SpillLargeParts(*parts, work_dir); !s.ok()) return s.error();
  return parts;
}

// The signature kept with a cached body checked under the trust that applies to the slot
// now: nullopt when none applies, the evidence when it verifies; any error means the body
// cannot be reused (no signature kept, a revoked key, a signer= it does not meet).
Result<std::optional<std::string>> KeptSignature(const ObjectSlot& slot,
                                                 const IncludeOnceCache& cache,
                                                 fetch::Fetcher& fetcher,
                                                 const userdata::Payload& body) {
  fetch::FetchOptions trust;
  trust.signers = slot.signers.get();
  trust.signer = slot.signer;
  Result<std::optional<std::string>> kept = cache.Signature(slot.target.url);
  std::string_view signature = kept.ok() && *kept ? std::string_view(**kept) : "";
  Result<userdata::PayloadView> bytes = body.View(body.size());
  if (!bytes.ok()) return bytes.error();
  Result<std::optional<std::string>> verdict = fetcher.VerifyKept(bytes->bytes(), signature, trust);
  // An unreadable signature matters only where one is needed.
  if (!kept.ok() && !(verdict.ok() && !*verdict)) return kept.error();
  return verdict;
}

}  // namespace

std::string SlotKey(const EntryNode& entry) {
  return (entry.once ? "once " : "") + entry.identity + " " + entry.sha256.value_or("") + " " +
         entry.signer.value_or("") + " " +
         std::to_string(reinterpret_cast<uintptr_t>(entry.signers.get()));
}

ObjectSlot NewSlot(const EntryNode& entry) {
  ObjectSlot slot;
  slot.target = entry.target;
  slot.shown = entry.shown;
  slot.sha256 = entry.sha256;
  slot.signers = entry.signers;
  slot.signer = entry.signer;
  slot.once = entry.once;
  return slot;
}

void ReadFromCache(ObjectSlot& slot, const IncludeOnceCache& cache, fetch::Fetcher& fetcher,
                   uint64_t max_object_bytes, const std::string& work_dir) {
  std::string context = "reading " + slot.shown + " from the include-once cache";
  Result<std::optional<int>> opened = cache.Open(slot.target.url);
  if (!opened.ok()) {
    slot.error = std::move(opened.error());
    return;
  }
  if (!opened->has_value()) return;
  int fd = **opened;
  fetch::FetchOptions pin;
  pin.expected_sha256 = slot.sha256;
  SpillSink body(work_dir);
  Result<net::VerifiedBody> verified = StreamVerified(fd, pin, max_object_bytes, body);
  close(fd);
  if (!verified.ok()) {
    slot.error = std::move(verified.error()).WithContext(context);
    return;
  }
  userdata::Source source;
  source.url = slot.shown;
  source.size = verified->bytes;
  source.sha256 = std::move(verified->sha256);
  source.verified_by = "include-once cache";
  if (!verified->verified_by.empty()) source.verified_by += ", " + verified->verified_by;
  Result<userdata::Payload> payload = body.Take(source);
  if (!payload.ok()) {
    slot.error = std::move(payload.error()).WithContext(context);
    return;
  }
  Result<std::optional<std::string>> signed_by = KeptSignature(slot, cache, fetcher, *payload);
  if (!signed_by.ok()) {
    LogDebug(context + ": fetched again: " + signed_by.error().ToString());
    return;
  }
  if (*signed_by) source.verified_by += ", " + **signed_by;
  slot.source = std::move(source);
  slot.body = std::move(*payload);
}

void FetchInto(ObjectSlot& slot, fetch::Fetcher& fetcher, fetch::FetchOptions options,
               const std::string& work_dir) {
  SpillSink body(work_dir);
  if (!work_dir.empty()) options.sink = &body;
  Result<fetch::FetchedObject> object = fetcher.Fetch(slot.target, options);
  if (!object.ok()) {
    slot.error = std::move(object.error());
    return;
  }
  if (options.sink == nullptr) {
    slot.body = std::move(object->body);
  } else {
    Result<userdata::Payload> payload = body.Take(object->source);
    if (!payload.ok()) {
      slot.error = std::move(payload.error()).WithContext("fetching " + slot.shown);
      return;
    }
    slot.body = std::move(*payload);
  }
  slot.fetched = true;
  slot.source = std::move(object->source);
  slot.signature = std::move(object->signature);
}

bool PlanFloor::Add(uint64_t n) {
  if (bytes_.fetch_add(n) + n > limit_) over_ = true;
  return !over_;
}

void ParseSlot(ObjectSlot& slot, userdata::ParseOptions parse, const std::string& work_dir,
               PlanFloor& floor) {
  parse.strict_encodings = true;  // a broken encoding fails the plan, not a skipped part
  const uint64_t own = slot.body.size();
  uint64_t gunzipped = 0;
  uint64_t counted = 0;  // in floor: what was gunzipped beyond the object's size
  parse.on_gunzipped = [&](uint64_t n) -> Status {
    gunzipped += n;
    uint64_t more = std::max(gunzipped, own) - own - counted;
    counted += more;
    if (floor.Add(more)) return Ok();
    return Error(ErrorCode::kLimitExceeded, "what it holds is over the plan's size limit");
  };
  Result<std::vector<userdata::Part>> parts = ParseBody(slot.body, std::move(parse), work_dir);
  slot.plan_bytes = own;
  if (parts.ok()) {
    uint64_t decoded = 0;
    for (const userdata::Part& part : *parts) decoded += part.payload.size();
    slot.plan_bytes = std::max(slot.plan_bytes, decoded);
  }
  // What the parts add: less than was gunzipped when what the object held was MIME (its
  // headers and encodings are not parts).
  floor.Remove(counted);
  floor.Add(slot.plan_bytes - own);
  if (parts.ok() && slot.source) NameSinglePartObject(*parts, *slot.source);
  if (!parts.ok()) parts = std::move(parts.error()).WithContext("parsing " + slot.shown);
  slot.parsed = std::move(parts);
}

}  // namespace s3us::expand

#include "expand/object_slot.h"

#include <cstdint>
#include <utility>

#include "core/crypto.h"
#include "fetch/verify.h"

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

void ReadFromCache(ObjectSlot& slot, const IncludeOnceCache& cache, uint64_t max_object_bytes) {
  Result<std::optional<std::string>> cached = cache.Lookup(slot.target.url, max_object_bytes);
  if (!cached.ok()) {
    slot.error = std::move(cached.error());
    return;
  }
  if (!cached->has_value()) return;
  std::string body = std::move(**cached);
  fetch::ReceivedBody received;
  received.bytes = body.size();
  received.sha256 = Sha256Hex(body);
  received.upstream_verified_by = "include-once cache";
  fetch::FetchOptions pin;
  pin.expected_sha256 = slot.sha256;
  Result<std::string> verified_by = fetch::VerifyBody(received, pin);
  if (!verified_by.ok()) {
    slot.error = std::move(verified_by.error())
                     .WithContext("reading " + slot.shown + " from the include-once cache");
    return;
  }
  userdata::Source source;
  source.url = slot.shown;
  source.size = received.bytes;
  source.sha256 = received.sha256;
  source.verified_by = *verified_by;
  slot.source = std::move(source);
  slot.body = std::move(body);
}

void FetchInto(ObjectSlot& slot, fetch::Fetcher& fetcher, const fetch::FetchOptions& options) {
  Result<fetch::FetchedObject> object = fetcher.Fetch(slot.target, options);
  if (!object.ok()) {
    slot.error = std::move(object.error());
    return;
  }
  slot.fetched = true;
  slot.body = std::move(object->body);
  slot.source = std::move(object->source);
}

void ParseSlot(ObjectSlot& slot, userdata::ParseOptions parse) {
  parse.strict_encodings = true;  // a broken encoding fails the plan, not a skipped part
  Result<std::vector<userdata::Part>> parts = userdata::Parse(slot.body, parse);
  if (parts.ok() && slot.source) NameSinglePartObject(*parts, *slot.source);
  if (!parts.ok()) parts = std::move(parts.error()).WithContext("parsing " + slot.shown);
  slot.parsed = std::move(parts);
}

}  // namespace s3us::expand

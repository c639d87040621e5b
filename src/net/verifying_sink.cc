#include "net/verifying_sink.h"

#include <charconv>
#include <map>
#include <optional>
#include <vector>

#include "core/strings.h"

namespace s3us::net {
namespace {

DigestSet Needed(const std::vector<Expectation>& checks, bool record_sha256) {
  DigestSet set;
  set.sha256 = record_sha256;
  for (const Expectation& e : checks) {
    set.sha256 = set.sha256 || e.digest == Digest::kSha256;
    set.md5 = set.md5 || e.digest == Digest::kMd5;
    set.crc32 = set.crc32 || e.digest == Digest::kCrc32;
    set.sha1 = set.sha1 || e.digest == Digest::kSha1;
    set.crc32c = set.crc32c || e.digest == Digest::kCrc32c;
    set.crc64nvme = set.crc64nvme || e.digest == Digest::kCrc64Nvme;
  }
  return set;
}

// The fallbacks only when nothing else checks a digest.
std::vector<Expectation> Choose(std::vector<Expectation> from_head,
                                const std::vector<Expectation>& from_caller) {
  std::vector<Expectation> all = std::move(from_head);
  all.insert(all.end(), from_caller.begin(), from_caller.end());
  bool firm = false;
  for (const Expectation& e : all) firm = firm || !e.fallback;
  std::vector<Expectation> chosen;
  for (Expectation& e : all) {
    if (!e.fallback || !firm) chosen.push_back(std::move(e));
  }
  return chosen;
}

using Digests = std::map<Digest, std::vector<uint8_t>>;

// Every digest the hasher computed, each finished once (several checks may share one).
Digests FinishDigests(StreamHasher& hasher) {
  auto bytes = [](const auto& array) { return std::vector<uint8_t>(array.begin(), array.end()); };
  const DigestSet& computed = hasher.digests();
  Digests out;
  if (computed.sha256) out[Digest::kSha256] = bytes(hasher.FinishSha256());
  if (computed.md5) out[Digest::kMd5] = bytes(hasher.FinishMd5());
  if (computed.crc32) out[Digest::kCrc32] = bytes(hasher.FinishCrc32());
  if (computed.sha1) out[Digest::kSha1] = bytes(hasher.FinishSha1());
  if (computed.crc32c) out[Digest::kCrc32c] = bytes(hasher.FinishCrc32c());
  if (computed.crc64nvme) out[Digest::kCrc64Nvme] = bytes(hasher.FinishCrc64Nvme());
  return out;
}

// The digest in the encoding its expectation was declared in.
std::string Encode(const Expectation& e, const uint8_t* data, size_t size) {
  return e.base64 ? Base64Encode(data, size) : Hex(data, size);
}

void Append(std::string& list, std::string_view item) {
  if (!list.empty()) list += ", ";
  list += item;
}

std::optional<uint64_t> Number(std::string_view text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// "bytes 0-20/21" is the whole of a 21-byte object; any other Content-Range is a part of it
// or says nothing of the whole ("bytes */21", "bytes 0-9/*").
bool IsWholeRange(std::string_view range) {
  if (!IStartsWith(range, "bytes ")) return false;
  range = Trim(range.substr(6));
  size_t dash = range.find('-');
  size_t slash = range.find('/');
  if (dash == std::string_view::npos || slash == std::string_view::npos || dash > slash) {
    return false;
  }
  std::optional<uint64_t> first = Number(range.substr(0, dash));
  std::optional<uint64_t> last = Number(range.substr(dash + 1, slash - dash - 1));
  std::optional<uint64_t> total = Number(range.substr(slash + 1));
  return first == 0u && last && total && *last + 1 == *total;
}

// A header whose value vouches for the body, or says how to read one that does (whether an
// ETag is an MD5): two that differ leave the evidence ambiguous, and only one would be read.
bool IsEvidenceHeader(std::string_view name) {
  return name == "etag" || name == "content-range" || name.starts_with("x-amz-checksum-") ||
         name.starts_with("x-amz-server-side-encryption");
}

// The first evidence header that arrived twice with different values.
std::optional<std::string> DifferingEvidence(const Headers& headers) {
  std::map<std::string_view, std::string_view> seen;
  for (const auto& [name, value] : headers) {
    if (!IsEvidenceHeader(name)) continue;
    auto [it, first] = seen.emplace(name, Trim(value));
    if (!first && it->second != Trim(value)) return name;
  }
  return std::nullopt;
}

}  // namespace

Error SizeLimitError(uint64_t max_bytes) {
  return Error(ErrorCode::kLimitExceeded, "object exceeds the size limit of " +
                                              HumanBytes(max_bytes) + " (" +
                                              std::to_string(max_bytes) + " bytes)");
}

Error LengthMismatch(uint64_t declared, uint64_t received) {
  // Only a chunked body can run past its Content-Length (libcurl stops a plain one there):
  // the server contradicts itself, and asking again would get the same answer.
  if (received > declared) {
    return Error(ErrorCode::kLengthMismatch, "body longer than its Content-Length: expected " +
                                                 std::to_string(declared) + " bytes, received " +
                                                 std::to_string(received));
  }
  return Error(ErrorCode::kLengthMismatch, "incomplete body: expected " + std::to_string(declared) +
                                               " bytes, received " + std::to_string(received))
      .set_retryable(true);
}

Error DigestMismatch(std::string_view label, std::string_view expected, std::string_view got) {
  // What was declared came from the server's headers: quoted, not trusted to be short.
  return Error(ErrorCode::kDigestMismatch, std::string(label) + " mismatch: expected " +
                                               Printable(expected) + ", got " + std::string(got));
}

std::optional<uint64_t> ParseContentLength(std::string_view text) {
  // RFC 9110 8.6: a list of identical values ("18, 18", a proxy's merge of two headers) is
  // that value; the transport refuses lists that differ.
  std::optional<uint64_t> out;
  for (std::string_view item : Split(text, ',')) {
    std::optional<uint64_t> value = Number(Trim(item));
    if (!value || (out && *out != *value)) return std::nullopt;
    out = value;
  }
  return out;
}

bool IsChunked(const Headers& headers) {
  std::string_view last;
  for (const auto& [name, value] : headers) {
    if (name != "transfer-encoding") continue;
    for (std::string_view coding : Split(value, ',')) {
      if (!Trim(coding).empty()) last = Trim(coding);
    }
  }
  return IEquals(last, "chunked");
}

VerifyingSink::VerifyingSink(uint64_t max_bytes, BodySink* forward, bool record_sha256)
    : max_bytes_(max_bytes), forward_(forward), record_sha256_(record_sha256) {}

void VerifyingSink::Expect(Expectation expectation) { caller_.push_back(std::move(expectation)); }

Status VerifyingSink::Begin(const Response& head) {
  // No fetch asks for a range: a part is never the object, whatever vouches for the part.
  if (head.status == 206) {
    return Error(ErrorCode::kIntegrity,
                 "the server answered 206 Partial Content to a request for the whole object");
  }
  if (std::optional<std::string> name = DifferingEvidence(head.headers)) {
    return Error(ErrorCode::kIntegrity, "the answer has " + *name +
                                            " headers that differ: which one vouches for the "
                                            "object is unknown");
  }
  if (std::string_view range = Trim(head.Header("content-range")); !range.empty()) {
    if (!IsWholeRange(range)) {
      return Error(ErrorCode::kIntegrity, "the server answered with a part of the object (" +
                                              Printable(range, 80) +
                                              ") to a request for the whole");
    }
  }
  declared_ = ParseContentLength(head.Header("content-length"));
  chunked_ = IsChunked(head.headers);
  if (declared_ && max_bytes_ != 0 && *declared_ > max_bytes_) {
    return Error(
        ErrorCode::kLimitExceeded,
        SizeLimitError(max_bytes_).message() + ": Content-Length is " + std::to_string(*declared_));
  }
  checks_ = Choose(head_reader_ ? head_reader_(head) : std::vector<Expectation>(), caller_);
  hasher_.Reset(Needed(checks_, record_sha256_));
  begun_ = true;
  return forward_ != nullptr ? forward_->Begin(head) : Ok();
}

Status VerifyingSink::Write(std::string_view chunk) {
  if (!begun_) return Error(ErrorCode::kInternal, "body bytes before the response head");
  if (max_bytes_ != 0 && chunk.size() > max_bytes_ - bytes_) return SizeLimitError(max_bytes_);
  if (bytes_ >= kInlineBytes) {
    bytes_ += chunk.size();
    if (!pipeline_) pipeline_ = StartPipeline();
    return pipeline_->Write(chunk);
  }
  bytes_ += chunk.size();
  if (hasher_.digests().any()) hasher_.Update(chunk.data(), chunk.size());
  return Deliver(chunk);
}

Status VerifyingSink::Deliver(std::string_view piece) {
  if (forward_ != nullptr) return forward_->Write(piece);
  body_.append(piece);
  return Ok();
}

// One thread hashes, another hands the bytes on, each in order.
std::unique_ptr<ChunkPipeline> VerifyingSink::StartPipeline() {
  std::vector<ChunkPipeline::Consumer> consumers;
  if (hasher_.digests().any()) {
    consumers.emplace_back([this](std::string_view block) {
      hasher_.Update(block.data(), block.size());
      return Ok();
    });
  }
  consumers.emplace_back([this](std::string_view block) { return Deliver(block); });
  return std::make_unique<ChunkPipeline>(std::move(consumers), kPipelineBlockBytes,
                                         kPipelineBlocks);
}

Status VerifyingSink::Reset() {
  pipeline_.reset();  // drops what is queued: the retried transfer starts over
  begun_ = false;
  declared_.reset();
  chunked_ = false;
  checks_.clear();
  bytes_ = 0;
  body_.clear();
  if (forward_ != nullptr) return forward_->Reset();
  return Ok();
}

Result<VerifiedBody> VerifyingSink::Finish(const Response& head) {
  if (!begun_) {
    if (Status s = Begin(head); !s.ok()) return std::move(s).error();
  }
  if (pipeline_) {
    Status drained = pipeline_->Drain();
    pipeline_.reset();
    if (!drained.ok()) return std::move(drained).error();
  }
  VerifiedBody out;
  out.bytes = bytes_;
  if (declared_) {
    if (*declared_ != bytes_) return LengthMismatch(*declared_, bytes_);
    Append(out.verified_by, "content-length");
  }
  out.end_framed = declared_.has_value() || chunked_;
  Digests digests = FinishDigests(hasher_);
  if (auto sha = digests.find(Digest::kSha256); sha != digests.end()) {
    out.sha256 = Hex(sha->second.data(), sha->second.size());
  }
  for (const Expectation& e : checks_) {
    const std::vector<uint8_t>& raw = digests[e.digest];
    std::string actual = Encode(e, raw.data(), raw.size());
    std::string declared = e.base64 ? e.value : ToLower(e.value);
    if (declared != actual) return DigestMismatch(e.label, e.value, actual);
    Append(out.verified_by, e.evidence);
  }
  return out;
}

}  // namespace s3us::net

#include "aws/s3_integrity.h"

#include <zlib.h>

#include <charconv>

#include "core/strings.h"

namespace s3us::aws {
namespace {

bool IsHex32(std::string_view s) {
  if (s.size() != 32) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

// Multipart uploads carry checksums of checksums ("…==-3"): not a hash of the bytes.
bool IsComposite(const net::Response& response, std::string_view value) {
  return IEquals(response.Header("x-amz-checksum-type"), "COMPOSITE") ||
         value.find('-') != std::string_view::npos;
}

Error Mismatch(std::string_view what, std::string_view declared, std::string_view actual) {
  return Error(ErrorCode::kIntegrity, std::string(what) + " mismatch: S3 declared " +
                                          std::string(declared) + ", the body received has " +
                                          std::string(actual));
}

}  // namespace

HashingSink::HashingSink(net::BodySink* inner, uint64_t max_bytes)
    : inner_(inner), max_bytes_(max_bytes) {
  crc_ = crc32_z(0L, Z_NULL, 0);
}

Status HashingSink::Write(std::string_view chunk) {
  if (max_bytes_ != 0 && bytes_ + chunk.size() > max_bytes_) {
    return Error(ErrorCode::kLimitExceeded,
                 "the object is larger than the limit of " + std::to_string(max_bytes_) + " bytes");
  }
  bytes_ += chunk.size();
  hasher_.Update(chunk.data(), chunk.size());
  crc_ = crc32_z(crc_, reinterpret_cast<const Bytef*>(chunk.data()), chunk.size());
  if (inner_ != nullptr) return inner_->Write(chunk);
  body_.append(chunk);
  return Ok();
}

Status HashingSink::Reset() {
  bytes_ = 0;
  body_.clear();
  hasher_.Reset();
  crc_ = crc32_z(0L, Z_NULL, 0);
  if (inner_ != nullptr) return inner_->Reset();
  return Ok();
}

void HashingSink::Finish() {
  Sha256Digest sha = hasher_.FinishSha256();
  sha256_hex_ = Hex(sha);
  sha256_base64_ = Base64Encode(sha.data(), sha.size());
  md5_hex_ = Hex(hasher_.FinishMd5());
  uint8_t crc_bytes[4] = {static_cast<uint8_t>(crc_ >> 24), static_cast<uint8_t>(crc_ >> 16),
                          static_cast<uint8_t>(crc_ >> 8), static_cast<uint8_t>(crc_)};
  crc32_base64_ = Base64Encode(crc_bytes, 4);
}

Result<IntegrityReport> VerifyS3Body(const net::Response& response, const HashingSink& sink) {
  IntegrityReport report;
  std::vector<std::string> checked;

  if (std::string_view cl = Trim(response.Header("content-length")); !cl.empty()) {
    uint64_t declared = 0;
    auto [end, ec] = std::from_chars(cl.data(), cl.data() + cl.size(), declared);
    if (ec != std::errc() || end != cl.data() + cl.size() || declared != sink.bytes()) {
      return Mismatch("Content-Length", std::string(cl) + " bytes",
                      std::to_string(sink.bytes()) + " bytes");
    }
    checked.push_back("content-length");
  }

  for (const auto& [name, value] : response.headers) {
    if (!name.starts_with("x-amz-checksum-") || name == "x-amz-checksum-type") continue;
    std::string algorithm = name.substr(15);
    std::string_view declared = Trim(value);
    report.checksums.emplace_back(algorithm, std::string(declared));
    if (IsComposite(response, declared)) continue;
    if (algorithm == "sha256") {
      if (declared != sink.sha256_base64()) {
        return Mismatch("x-amz-checksum-sha256", declared, sink.sha256_base64());
      }
      checked.push_back(name);
    } else if (algorithm == "crc32") {
      if (declared != sink.crc32_base64()) {
        return Mismatch("x-amz-checksum-crc32", declared, sink.crc32_base64());
      }
      checked.push_back(name);
    }
  }

  // The ETag is the MD5 of the bytes only for single-part uploads without SSE-KMS / SSE-C.
  std::string_view etag = Trim(response.Header("etag"));
  if (etag.starts_with("W/")) etag.remove_prefix(2);
  etag = StripQuotes(etag);
  std::string sse = ToLower(Trim(response.Header("x-amz-server-side-encryption")));
  bool kms = sse.starts_with("aws:kms");
  bool sse_c = !response.Header("x-amz-server-side-encryption-customer-algorithm").empty();
  if (IsHex32(etag) && !kms && !sse_c) {
    if (ToLower(etag) != sink.md5_hex()) return Mismatch("ETag (MD5)", etag, sink.md5_hex());
    checked.push_back("etag-md5");
  }

  for (const std::string& c : checked) {
    if (!report.verified_by.empty()) report.verified_by += ", ";
    report.verified_by += c;
  }
  return report;
}

}  // namespace s3us::aws

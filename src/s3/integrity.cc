#include "s3/integrity.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "core/strings.h"

namespace s3us::s3 {
namespace {

bool IsHex32(std::string_view s) {
  return s.size() == 32 && std::all_of(s.begin(), s.end(), [](char c) {
           return std::isxdigit(static_cast<unsigned char>(c)) != 0;
         });
}

bool IsChecksumHeader(std::string_view name) {
  return name.starts_with("x-amz-checksum-") && name != "x-amz-checksum-type";
}

// Every algorithm S3 offers for x-amz-checksum-*; unknown ones are not evidence.
std::optional<net::Digest> DigestOf(std::string_view algorithm) {
  static constexpr std::pair<std::string_view, net::Digest> kAlgorithms[] = {
      {"sha256", net::Digest::kSha256},
      {"sha1", net::Digest::kSha1},
      {"crc32", net::Digest::kCrc32},
      {"crc32c", net::Digest::kCrc32c},
      {"crc64nvme", net::Digest::kCrc64Nvme}};
  for (const auto& [name, digest] : kAlgorithms) {
    if (algorithm == name) return digest;
  }
  return std::nullopt;
}

// Multipart uploads carry checksums of checksums ("…==-3"): not a hash of the bytes.
bool IsComposite(const net::Response& head, std::string_view value) {
  return IEquals(head.Header("x-amz-checksum-type"), "COMPOSITE") ||
         value.find('-') != std::string_view::npos;
}

// The ETag is the MD5 of the bytes only for single-part uploads without SSE-KMS / SSE-C.
std::optional<net::Expectation> EtagMd5(const net::Response& head) {
  std::string_view etag = Trim(head.Header("etag"));
  if (etag.starts_with("W/")) etag.remove_prefix(2);
  etag = StripQuotes(etag);
  std::string sse = ToLower(Trim(head.Header("x-amz-server-side-encryption")));
  bool kms = sse.starts_with("aws:kms");
  bool sse_c = !head.Header("x-amz-server-side-encryption-customer-algorithm").empty();
  if (!IsHex32(etag) || kms || sse_c) return std::nullopt;
  return net::Expectation{.digest = net::Digest::kMd5,
                          .value = std::string(etag),
                          .label = "ETag (MD5)",
                          .evidence = "etag-md5",
                          .fallback = true};
}

}  // namespace

std::vector<net::Expectation> S3Expectations(const net::Response& head) {
  std::vector<net::Expectation> out;
  for (const auto& [name, value] : head.headers) {
    if (!IsChecksumHeader(name)) continue;
    std::string_view declared = Trim(value);
    if (IsComposite(head, declared)) continue;
    std::optional<net::Digest> digest = DigestOf(std::string_view(name).substr(15));
    if (!digest) continue;
    out.push_back({.digest = *digest,
                   .base64 = true,
                   .value = std::string(declared),
                   .label = name,
                   .evidence = name});
  }
  if (std::optional<net::Expectation> md5 = EtagMd5(head)) out.push_back(std::move(*md5));
  return out;
}

std::vector<std::pair<std::string, std::string>> S3Checksums(const net::Response& head) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, value] : head.headers) {
    if (IsChecksumHeader(name)) out.emplace_back(name.substr(15), std::string(Trim(value)));
  }
  return out;
}

}  // namespace s3us::s3

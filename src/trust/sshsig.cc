#include "trust/sshsig.h"

#include <openssl/evp.h>

#include <stdexcept>

#include "trust/wire.h"

namespace s3us::trust {
namespace {

constexpr std::string_view kMagic = "SSHSIG";
constexpr std::string_view kBegin = "-----BEGIN SSH SIGNATURE-----";
constexpr std::string_view kEnd = "\n-----END SSH SIGNATURE-----";

Error Malformed(std::string what) {
  return Error(ErrorCode::kInvalidInput, "malformed ssh signature: " + std::move(what));
}

std::string Digest(const char* name, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out, &len, EVP_get_digestbyname(name), nullptr) != 1) {
    throw std::runtime_error("openssl digest failure");
  }
  return std::string(reinterpret_cast<char*>(out), len);
}

}  // namespace

Result<SshSignature> ParseArmoredSignature(std::string_view text) {
  if (text.size() > kMaxArmoredSignatureBytes) {
    return Error(
        ErrorCode::kLimitExceeded,
        "ssh signature is larger than " + std::to_string(kMaxArmoredSignatureBytes) + " bytes");
  }
  if (text.substr(0, kBegin.size()) != kBegin) return Malformed("missing header");
  text.remove_prefix(kBegin.size());
  // OpenSSH 9.2 (Debian 12) wants LF here; CRLF armour is refused as it refuses it.
  if (text.substr(0, 1) != "\n") return Malformed("no line feed after the header");
  text.remove_prefix(1);
  // As OpenSSH: the body ends at the first "\n" + footer; what follows the footer is ignored.
  size_t end = text.find(kEnd);
  if (end == std::string_view::npos) return Malformed("missing footer");
  auto blob = Base64Decode(text.substr(0, end));
  if (!blob) return Malformed("body is not base64");
  return ParseSignatureBlob(*blob);
}

Result<SshSignature> ParseSignatureBlob(std::string_view blob) {
  WireReader r(blob);
  std::string_view magic;
  uint32_t version = 0;
  if (!r.ReadRaw(kMagic.size(), &magic) || magic != kMagic) return Malformed("no SSHSIG magic");
  if (!r.ReadU32(&version)) return Malformed("truncated");
  // As OpenSSH: versions above 1 are refused; the version is not part of the signed data.
  if (version > 1) return Malformed("version " + std::to_string(version) + " is newer than 1");
  std::string_view key, ns, reserved, hash, sig;
  if (!r.ReadString(&key) || !r.ReadString(&ns) || !r.ReadString(&reserved) ||
      !r.ReadString(&hash) || !r.ReadString(&sig)) {
    return Malformed("truncated");
  }
  if (!r.empty()) return Malformed("trailing bytes");
  if (hash != "sha256" && hash != "sha512") {
    return Error(ErrorCode::kUnsupported, "ssh signature hash algorithm is not sha256 or sha512");
  }
  return SshSignature{std::string(key), std::string(ns), std::string(hash), std::string(sig)};
}

namespace {

std::string SignedDataOfDigest(const SshSignature& sig, std::string_view digest) {
  std::string out(kMagic);
  AppendString(&out, sig.sig_namespace);
  AppendString(&out, "");
  AppendString(&out, sig.hash_algorithm);
  AppendString(&out, digest);
  return out;
}

}  // namespace

std::string SignedData(const SshSignature& sig, std::string_view message) {
  return SignedDataOfDigest(sig,
                            Digest(sig.hash_algorithm == "sha256" ? "SHA256" : "SHA512", message));
}

std::string SignedData(const SshSignature& sig, const MessageDigests& digests) {
  return SignedDataOfDigest(sig, sig.hash_algorithm == "sha256" ? digests.sha256 : digests.sha512);
}

// Never throws: Update runs on a sink's thread, where an exception would end the process.
// A failure (out of memory inside OpenSSL) leaves empty digests, which verify nothing.
struct MessageHasher::Impl {
  EVP_MD_CTX* sha256 = EVP_MD_CTX_new();
  EVP_MD_CTX* sha512 = EVP_MD_CTX_new();
  bool ok = false;
  ~Impl() {
    EVP_MD_CTX_free(sha256);
    EVP_MD_CTX_free(sha512);
  }
};

MessageHasher::MessageHasher() : impl_(std::make_unique<Impl>()) { Reset(); }
MessageHasher::~MessageHasher() = default;

void MessageHasher::Reset() {
  impl_->ok = impl_->sha256 != nullptr && impl_->sha512 != nullptr &&
              EVP_DigestInit_ex(impl_->sha256, EVP_sha256(), nullptr) == 1 &&
              EVP_DigestInit_ex(impl_->sha512, EVP_sha512(), nullptr) == 1;
}

void MessageHasher::Update(std::string_view data) {
  impl_->ok = impl_->ok && EVP_DigestUpdate(impl_->sha256, data.data(), data.size()) == 1 &&
              EVP_DigestUpdate(impl_->sha512, data.data(), data.size()) == 1;
}

MessageDigests MessageHasher::Finish() {
  auto finish = [this](EVP_MD_CTX* ctx) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!impl_->ok || EVP_DigestFinal_ex(ctx, out, &len) != 1) return std::string();
    return std::string(reinterpret_cast<char*>(out), len);
  };
  std::string sha256 = finish(impl_->sha256);
  std::string sha512 = finish(impl_->sha512);
  if (sha256.empty() || sha512.empty()) return MessageDigests{};
  return MessageDigests{std::move(sha256), std::move(sha512)};
}

}  // namespace s3us::trust

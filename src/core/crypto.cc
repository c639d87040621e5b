// The digests use OpenSSL's low-level SHA256_*/SHA1_*/MD5_* calls, deprecated in 3.0 but kept
// through 3.x: the EVP path builds the default provider's method store on first use (1.0 ms,
// 1.7 ms with openssl.cnf, measured), most of what a local dry run costs beyond starting the
// process; the low-level calls run the same assembly (SHA-NI, AVX2) without it. HMAC is only
// needed next to libcurl, which initialises OpenSSL anyway.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "core/crypto.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/md5.h>
#include <openssl/sha.h>
#include <zlib.h>

#include <stdexcept>

#include "core/crc.h"

namespace s3us {
namespace {

void Check(int ok) {
  if (ok != 1) throw std::runtime_error("openssl digest failure");
}

// Fetched once (OpenSSL 3 "explicit fetching"): the implicit EVP_sha256() path repeats a
// method-store lookup on every call; fetching once saves 5-10% per small hash or HMAC.
const EVP_MD* FetchedMd(const char* name) {
  EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  if (md == nullptr) throw std::runtime_error(std::string("openssl has no ") + name);
  return md;
}

const EVP_MD* Sha256Md() {
  static const EVP_MD* md = FetchedMd("SHA2-256");
  return md;
}

// The low `N` bytes of v, most significant first.
template <size_t N>
std::array<uint8_t, N> BigEndian(uint64_t v) {
  std::array<uint8_t, N> out;
  for (size_t i = 0; i < N; ++i) out[i] = static_cast<uint8_t>(v >> (8 * (N - 1 - i)));
  return out;
}

}  // namespace

Sha256Digest Sha256(std::string_view data) {
  Sha256Digest out;
  SHA256_CTX ctx;
  Check(SHA256_Init(&ctx));
  Check(SHA256_Update(&ctx, data.data(), data.size()));
  Check(SHA256_Final(out.data(), &ctx));
  return out;
}

std::array<uint8_t, 16> Md5(std::string_view data) {
  std::array<uint8_t, 16> out;
  MD5_CTX ctx;
  Check(MD5_Init(&ctx));
  Check(MD5_Update(&ctx, data.data(), data.size()));
  Check(MD5_Final(out.data(), &ctx));
  return out;
}

Sha256Digest HmacSha256(std::string_view key, std::string_view data) {
  Sha256Digest out;
  unsigned int len = 0;
  if (HMAC(Sha256Md(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(),
           &len) == nullptr) {
    throw std::runtime_error("openssl hmac failure");
  }
  return out;
}

std::string Hex(const uint8_t* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0xf];
  }
  return out;
}

std::string Base64Encode(const uint8_t* data, size_t size) {
  std::string out(4 * ((size + 2) / 3), '\0');
  int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(static_cast<size_t>(n));
  return out;
}

struct StreamHasher::Impl {
  SHA256_CTX sha;
  MD5_CTX md5;
  SHA_CTX sha1;
  uLong crc = 0;
  uint32_t crc32c = 0;
  uint64_t crc64nvme = 0;
};

StreamHasher::StreamHasher(DigestSet digests) : impl_(std::make_unique<Impl>()) { Reset(digests); }
StreamHasher::~StreamHasher() = default;

void StreamHasher::Reset(DigestSet digests) {
  digests_ = digests;
  if (digests_.sha256) Check(SHA256_Init(&impl_->sha));
  if (digests_.md5) Check(MD5_Init(&impl_->md5));
  if (digests_.sha1) Check(SHA1_Init(&impl_->sha1));
  impl_->crc = crc32_z(0L, Z_NULL, 0);
  impl_->crc32c = 0;
  impl_->crc64nvme = 0;
}

void StreamHasher::Update(const void* data, size_t size) {
  if (digests_.sha256) Check(SHA256_Update(&impl_->sha, data, size));
  if (digests_.md5) Check(MD5_Update(&impl_->md5, data, size));
  if (digests_.crc32) impl_->crc = crc32_z(impl_->crc, static_cast<const Bytef*>(data), size);
  if (digests_.sha1) Check(SHA1_Update(&impl_->sha1, data, size));
  if (digests_.crc32c) impl_->crc32c = Crc32c(impl_->crc32c, data, size);
  if (digests_.crc64nvme) impl_->crc64nvme = Crc64Nvme(impl_->crc64nvme, data, size);
}

Sha256Digest StreamHasher::FinishSha256() {
  Sha256Digest out;
  Check(SHA256_Final(out.data(), &impl_->sha));
  return out;
}

std::array<uint8_t, 16> StreamHasher::FinishMd5() {
  std::array<uint8_t, 16> out;
  Check(MD5_Final(out.data(), &impl_->md5));
  return out;
}

std::array<uint8_t, 4> StreamHasher::FinishCrc32() { return BigEndian<4>(impl_->crc); }

std::array<uint8_t, 20> StreamHasher::FinishSha1() {
  std::array<uint8_t, 20> out;
  Check(SHA1_Final(out.data(), &impl_->sha1));
  return out;
}

std::array<uint8_t, 4> StreamHasher::FinishCrc32c() { return BigEndian<4>(impl_->crc32c); }

std::array<uint8_t, 8> StreamHasher::FinishCrc64Nvme() { return BigEndian<8>(impl_->crc64nvme); }

}  // namespace s3us

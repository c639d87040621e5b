#include "core/crypto.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <zlib.h>

#include <stdexcept>

#include "core/crc.h"

namespace s3us {
namespace {

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

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

const EVP_MD* Sha1Md() {
  static const EVP_MD* md = FetchedMd("SHA1");
  return md;
}

// The low `N` bytes of v, most significant first.
template <size_t N>
std::array<uint8_t, N> BigEndian(uint64_t v) {
  std::array<uint8_t, N> out;
  for (size_t i = 0; i < N; ++i) out[i] = static_cast<uint8_t>(v >> (8 * (N - 1 - i)));
  return out;
}

const EVP_MD* Md5Md() {
  static const EVP_MD* md = FetchedMd("MD5");
  return md;
}

}  // namespace

Sha256Digest Sha256(std::string_view data) {
  Sha256Digest out;
  unsigned int len = 0;
  Check(EVP_Digest(data.data(), data.size(), out.data(), &len, Sha256Md(), nullptr));
  return out;
}

std::array<uint8_t, 16> Md5(std::string_view data) {
  std::array<uint8_t, 16> out;
  unsigned int len = 0;
  Check(EVP_Digest(data.data(), data.size(), out.data(), &len, Md5Md(), nullptr));
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
  MdCtx sha{EVP_MD_CTX_new()};
  MdCtx md5{EVP_MD_CTX_new()};
  MdCtx sha1{EVP_MD_CTX_new()};
  uLong crc = 0;
  uint32_t crc32c = 0;
  uint64_t crc64nvme = 0;
};

StreamHasher::StreamHasher(DigestSet digests) : impl_(std::make_unique<Impl>()) { Reset(digests); }
StreamHasher::~StreamHasher() = default;

void StreamHasher::Reset(DigestSet digests) {
  digests_ = digests;
  if (digests_.sha256) Check(EVP_DigestInit_ex2(impl_->sha.get(), Sha256Md(), nullptr));
  if (digests_.md5) Check(EVP_DigestInit_ex2(impl_->md5.get(), Md5Md(), nullptr));
  if (digests_.sha1) Check(EVP_DigestInit_ex2(impl_->sha1.get(), Sha1Md(), nullptr));
  impl_->crc = crc32_z(0L, Z_NULL, 0);
  impl_->crc32c = 0;
  impl_->crc64nvme = 0;
}

void StreamHasher::Update(const void* data, size_t size) {
  if (digests_.sha256) Check(EVP_DigestUpdate(impl_->sha.get(), data, size));
  if (digests_.md5) Check(EVP_DigestUpdate(impl_->md5.get(), data, size));
  if (digests_.crc32) impl_->crc = crc32_z(impl_->crc, static_cast<const Bytef*>(data), size);
  if (digests_.sha1) Check(EVP_DigestUpdate(impl_->sha1.get(), data, size));
  if (digests_.crc32c) impl_->crc32c = Crc32c(impl_->crc32c, data, size);
  if (digests_.crc64nvme) impl_->crc64nvme = Crc64Nvme(impl_->crc64nvme, data, size);
}

Sha256Digest StreamHasher::FinishSha256() {
  Sha256Digest out;
  unsigned int len = 0;
  Check(EVP_DigestFinal_ex(impl_->sha.get(), out.data(), &len));
  return out;
}

std::array<uint8_t, 16> StreamHasher::FinishMd5() {
  std::array<uint8_t, 16> out;
  unsigned int len = 0;
  Check(EVP_DigestFinal_ex(impl_->md5.get(), out.data(), &len));
  return out;
}

std::array<uint8_t, 4> StreamHasher::FinishCrc32() { return BigEndian<4>(impl_->crc); }

std::array<uint8_t, 20> StreamHasher::FinishSha1() {
  std::array<uint8_t, 20> out;
  unsigned int len = 0;
  Check(EVP_DigestFinal_ex(impl_->sha1.get(), out.data(), &len));
  return out;
}

std::array<uint8_t, 4> StreamHasher::FinishCrc32c() { return BigEndian<4>(impl_->crc32c); }

std::array<uint8_t, 8> StreamHasher::FinishCrc64Nvme() { return BigEndian<8>(impl_->crc64nvme); }

}  // namespace s3us

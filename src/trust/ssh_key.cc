#include "trust/ssh_key.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <optional>
#include <string>

#include "core/crypto.h"
#include "trust/wire.h"

namespace s3us::trust {

struct PublicKey::Pkey {
  EVP_PKEY* key = nullptr;
  ~Pkey() { EVP_PKEY_free(key); }
};

namespace {

struct CurveInfo {
  KeyType type;
  const char* key_name;  // also the signature algorithm name
  const char* ssh_curve;
  const char* openssl_group;
  const char* digest;
  int bits;
};
constexpr CurveInfo kCurves[] = {
    {KeyType::kEcdsaP256, "ecdsa-sha2-nistp256", "nistp256", "P-256", "SHA2-256", 256},
    {KeyType::kEcdsaP384, "ecdsa-sha2-nistp384", "nistp384", "P-384", "SHA2-384", 384},
    {KeyType::kEcdsaP521, "ecdsa-sha2-nistp521", "nistp521", "P-521", "SHA2-512", 521},
};

const CurveInfo* CurveFor(KeyType type) {
  for (const auto& c : kCurves) {
    if (c.type == type) return &c;
  }
  return nullptr;
}

Error Malformed(std::string what) {
  return Error(ErrorCode::kInvalidInput, "malformed public key: " + std::move(what));
}

Error BadSignature(std::string what) { return Error(ErrorCode::kIntegrity, std::move(what)); }

struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;
Bn ToBn(std::string_view magnitude) {
  return Bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(magnitude.data()),
                      static_cast<int>(magnitude.size()), nullptr));
}

// Builds an EVP_PKEY from OSSL_PARAMs; nullptr when OpenSSL rejects them.
EVP_PKEY* FromParams(const char* algorithm, OSSL_PARAM* params) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, algorithm, nullptr);
  EVP_PKEY* key = nullptr;
  if (ctx != nullptr && EVP_PKEY_fromdata_init(ctx) == 1) {
    if (EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) key = nullptr;
  }
  EVP_PKEY_CTX_free(ctx);
  return key;
}

EVP_PKEY* EcKey(const CurveInfo& curve, std::string_view point) {
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM* params = nullptr;
  EVP_PKEY* key = nullptr;
  if (bld != nullptr &&
      OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, curve.openssl_group, 0) ==
          1 &&
      OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) ==
          1) {
    params = OSSL_PARAM_BLD_to_param(bld);
  }
  if (params != nullptr) key = FromParams("EC", params);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  if (key == nullptr) return nullptr;
  // fromdata decodes the point (on-curve check); the public check adds the order check.
  EVP_PKEY_CTX* check = EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr);
  bool valid = check != nullptr && EVP_PKEY_public_check(check) == 1;
  EVP_PKEY_CTX_free(check);
  if (!valid) {
    EVP_PKEY_free(key);
    return nullptr;
  }
  return key;
}

EVP_PKEY* RsaKey(std::string_view e, std::string_view n) {
  Bn bn_e = ToBn(e);
  Bn bn_n = ToBn(n);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM* params = nullptr;
  EVP_PKEY* key = nullptr;
  if (bn_e && bn_n && bld != nullptr &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n.get()) == 1 &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e.get()) == 1) {
    params = OSSL_PARAM_BLD_to_param(bld);
  }
  if (params != nullptr) key = FromParams("RSA", params);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  return key;
}

int BitLength(std::string_view magnitude) {
  if (magnitude.empty()) return 0;
  int top = 0;
  for (auto c = static_cast<uint8_t>(magnitude[0]); c != 0; c >>= 1) ++top;
  return static_cast<int>((magnitude.size() - 1) * 8) + top;
}

// One-shot EVP verification; `md` is nullptr for Ed25519.
bool EvpVerify(EVP_PKEY* key, const char* md, std::string_view sig, std::string_view data) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx != nullptr &&
            EVP_DigestVerifyInit_ex(ctx, nullptr, md, nullptr, nullptr, key, nullptr) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                             reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

// SSH carries ECDSA signatures as two mpints; OpenSSL wants DER.
std::optional<std::string> EcdsaDer(std::string_view ssh_sig) {
  WireReader r(ssh_sig);
  std::string_view rr, ss;
  if (!r.ReadPositiveMpint(&rr) || !r.ReadPositiveMpint(&ss) || !r.empty()) return std::nullopt;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  if (sig == nullptr) return std::nullopt;
  Bn br = ToBn(rr), bs = ToBn(ss);
  std::optional<std::string> der;
  if (br && bs && ECDSA_SIG_set0(sig, br.get(), bs.get()) == 1) {
    br.release();
    bs.release();
    unsigned char* out = nullptr;
    int len = i2d_ECDSA_SIG(sig, &out);
    if (len > 0) der = std::string(reinterpret_cast<char*>(out), static_cast<size_t>(len));
    OPENSSL_free(out);
  }
  ECDSA_SIG_free(sig);
  return der;
}

}  // namespace

PublicKey::PublicKey(KeyType type, std::string blob, std::shared_ptr<Pkey> pkey, int bits)
    : type_(type), blob_(std::move(blob)), pkey_(std::move(pkey)), bits_(bits) {}

Result<PublicKey> PublicKey::FromBlob(std::string_view blob) {
  WireReader r(blob);
  std::string_view name;
  if (!r.ReadString(&name)) return Malformed("truncated key type");
  auto pkey = std::make_shared<Pkey>();
  if (name == "ssh-ed25519") {
    std::string_view raw;
    if (!r.ReadString(&raw) || raw.size() != 32) return Malformed("bad ed25519 key length");
    if (!r.empty()) return Malformed("trailing bytes after the key");
    pkey->key = EVP_PKEY_new_raw_public_key(
        EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
    if (pkey->key == nullptr) return Malformed("openssl refused the ed25519 key");
    return PublicKey(KeyType::kEd25519, std::string(blob), std::move(pkey), 256);
  }
  for (const auto& curve : kCurves) {
    if (name != curve.key_name) continue;
    std::string_view ssh_curve, point;
    if (!r.ReadString(&ssh_curve) || !r.ReadString(&point)) return Malformed("truncated key");
    if (ssh_curve != curve.ssh_curve) return Malformed("curve name does not match key type");
    if (!r.empty()) return Malformed("trailing bytes after the key");
    // Only the uncompressed form OpenSSH writes, so equal keys have equal blobs.
    if (point.empty() || point[0] != '\x04') return Malformed("ec point is not uncompressed");
    pkey->key = EcKey(curve, point);
    if (pkey->key == nullptr) return Malformed("ec point is not a valid public key");
    return PublicKey(curve.type, std::string(blob), std::move(pkey), curve.bits);
  }
  if (name == "ssh-rsa") {
    std::string_view e, n;
    if (!r.ReadPositiveMpint(&e) || !r.ReadPositiveMpint(&n)) return Malformed("bad rsa key");
    if (!r.empty()) return Malformed("trailing bytes after the key");
    int bits = BitLength(n);
    if (bits < kMinRsaBits || bits > kMaxRsaBits) {
      return Error(ErrorCode::kUnsupported,
                   "rsa key of " + std::to_string(bits) + " bits is not supported (2048 to 16384)");
    }
    if (BitLength(e) < 2 || (static_cast<uint8_t>(e.back()) & 1) == 0) {
      return Malformed("bad rsa exponent");
    }
    pkey->key = RsaKey(e, n);
    if (pkey->key == nullptr) return Malformed("openssl refused the rsa key");
    return PublicKey(KeyType::kRsa, std::string(blob), std::move(pkey), bits);
  }
  std::string shown(name.substr(0, 64));
  for (char& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
  }
  return Error(ErrorCode::kUnsupported, "key type \"" + shown + "\" is not supported");
}

Result<PublicKey> PublicKey::FromText(std::string_view type, std::string_view base64) {
  auto blob = Base64Decode(base64);
  if (!blob) return Malformed("key is not base64");
  auto key = FromBlob(*blob);
  if (!key.ok()) return key;
  if (key->type_name() != type) return Malformed("key type does not match its blob");
  return key;
}

std::string_view PublicKey::type_name() const {
  if (type_ == KeyType::kEd25519) return "ssh-ed25519";
  if (type_ == KeyType::kRsa) return "ssh-rsa";
  return CurveFor(type_)->key_name;
}

std::string_view PublicKey::short_name() const {
  if (type_ == KeyType::kEd25519) return "ED25519";
  if (type_ == KeyType::kRsa) return "RSA";
  return "ECDSA";
}

std::string PublicKey::Fingerprint() const {
  auto digest = Sha256(blob_);
  return "SHA256:" + Base64EncodeUnpadded(std::string_view(
                         reinterpret_cast<const char*>(digest.data()), digest.size()));
}

Status PublicKey::Verify(std::string_view signature_blob, std::string_view data) const {
  WireReader r(signature_blob);
  std::string_view algorithm, sig;
  if (!r.ReadString(&algorithm) || !r.ReadString(&sig) || !r.empty()) {
    return BadSignature("malformed signature blob");
  }
  const char* md = nullptr;
  std::string der;
  if (type_ == KeyType::kEd25519) {
    if (algorithm != "ssh-ed25519") return BadSignature("signature algorithm is not the key's");
    if (sig.size() != 64) return BadSignature("bad ed25519 signature length");
  } else if (type_ == KeyType::kRsa) {
    if (algorithm == "rsa-sha2-256") {
      md = "SHA2-256";
    } else if (algorithm == "rsa-sha2-512") {
      md = "SHA2-512";
    } else if (algorithm == "ssh-rsa") {
      return Error(ErrorCode::kUnsupported, "rsa signatures with sha-1 (ssh-rsa) are refused");
    } else {
      return BadSignature("signature algorithm is not the key's");
    }
    size_t modulus = static_cast<size_t>((bits_ + 7) / 8);
    if (sig.size() > modulus) return BadSignature("rsa signature longer than the modulus");
    der.assign(modulus - sig.size(), '\0');  // OpenSSH left-pads short signatures
    der.append(sig);
    sig = der;
  } else {
    const CurveInfo* curve = CurveFor(type_);
    if (algorithm != curve->key_name) return BadSignature("signature algorithm is not the key's");
    md = curve->digest;
    auto converted = EcdsaDer(sig);
    if (!converted) return BadSignature("malformed ecdsa signature");
    der = std::move(*converted);
    sig = der;
  }
  if (!EvpVerify(pkey_->key, md, sig, data)) return BadSignature("signature does not verify");
  return Ok();
}

}  // namespace s3us::trust

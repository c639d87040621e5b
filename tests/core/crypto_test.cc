#include "core/crypto.h"

#include <catch2/catch.hpp>

namespace s3us {
namespace {

TEST_CASE("Sha256 of the empty string is the well-known value") {
  CHECK(Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("HmacSha256 matches RFC 4231 test case 2") {
  CHECK(Hex(HmacSha256("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("Md5 and Base64") {
  CHECK(Hex(Md5("")) == "d41d8cd98f00b204e9800998ecf8427e");
  auto d = Sha256("");
  CHECK(Base64Encode(d.data(), d.size()) == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
}

TEST_CASE("StreamHasher equals one-shot hashing and restarts on Reset") {
  StreamHasher h({.sha256 = true, .md5 = true, .crc32 = true});
  h.Update("garbage", 7);
  h.Reset();
  h.Update("a", 1);
  h.Update("bc", 2);
  CHECK(Hex(h.FinishSha256()) == Sha256Hex("abc"));
  CHECK(Hex(h.FinishMd5()) == "900150983cd24fb0d6963f7d28e17f72");
  CHECK(Hex(h.FinishCrc32()) == "352441c2");
}

TEST_CASE("StreamHasher gives SHA-1, CRC32C and CRC64/NVME as S3 declares them") {
  StreamHasher h({.sha1 = true, .crc32c = true, .crc64nvme = true});
  h.Update("1234", 4);
  h.Update("56789", 5);
  CHECK(Hex(h.FinishSha1()) == "f7c3bc1d808e04732adf679965ccc34ca7ae3441");
  CHECK(Hex(h.FinishCrc32c()) == "e3069283");  // big-endian, as in the header
  CHECK(Hex(h.FinishCrc64Nvme()) == "ae8b14860a799888");
}

TEST_CASE("StreamHasher computes the digests its Reset chose") {
  StreamHasher h;
  CHECK(h.digests().sha256);
  CHECK_FALSE(h.digests().md5);
  h.Reset({.crc32 = true});
  h.Update("abc", 3);
  CHECK_FALSE(h.digests().sha256);
  CHECK(Hex(h.FinishCrc32()) == "352441c2");
}

}  // namespace
}  // namespace s3us

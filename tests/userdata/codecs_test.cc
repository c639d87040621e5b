#include "userdata/codecs.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

namespace s3us::userdata {
namespace {

TEST_CASE("DecodeBase64Email follows Python's decode_b") {
  struct Case {
    const char* in;
    const char* out;
  };
  // Expected values are what Python 3.11's email package returns.
  const Case cases[] = {
      {"aGVsbG8=", "hello"},
      {"aGVsbG8", "hello"},  // missing padding is added
      {"aGVs\r\nbG8=", "hello"},
      {"aGVsbG8=aGk=", "hello"},  // stops at padding
      {"a G V s b G 8 =", "hello"},
      {"*aGVsbG8=", "hello"},  // junk skipped
      {"abcde", "abcde"},      // length 1 mod 4: returned as is
      // Whole quads first, decoded in one pass, then the rest as email would go on with it.
      {"aGVsbG8gd29y\r\nbGQ=", "hello world"},
      {"aGVsbG8gd29y\nbGQ", "hello world"},
      {"aGVsbG8gd29y*bGQh", "hello world!"},
      {"aGVsbG8gd29y\nbGQh=aGk=", "hello world!hi"},
      {"aGVsbG8gd29y\nbG", "hello worl"},
      {"aGVsbG8gd29y\nabcde", "aGVsbG8gd29yabcde"},  // the whole text, not just the tail
      {"aGVs\nbG8g\nd29y\n", "hello wor"},
      {"aGVsbG8gd29y\n=bGQ=", "hello world"},
  };
  for (const auto& c : cases) {
    INFO(c.in);
    CHECK(DecodeBase64Email(c.in) == c.out);
  }
}

TEST_CASE("DecodeBase64Strict takes whole base64 only, as binascii's strict mode") {
  // Expected values are what binascii.a2b_base64(strict_mode=True) returns on the text
  // without its blanks (None where it raises or the length is not a multiple of 4).
  CHECK(DecodeBase64Strict("aGVsbG8gd29y\r\nbGQ=") == "hello world");
  CHECK(DecodeBase64Strict("aGVs bG8g\td29y\nbGQh") == "hello world!");
  CHECK(DecodeBase64Strict("aGVsbG8gd29y\nbGQ=\n") == "hello world");
  CHECK(DecodeBase64Strict("") == "");
  CHECK_FALSE(DecodeBase64Strict("aGVsbG8gd29y\nbGQ"));
  CHECK_FALSE(DecodeBase64Strict("aGVsbG8gd29y\n=bGQ="));
  CHECK_FALSE(DecodeBase64Strict("aGVsbG8gd29y*bGQh"));
  CHECK_FALSE(DecodeBase64Strict("aGVsbG8gd29ybGQ=aGk="));
  CHECK_FALSE(DecodeBase64Strict("aGVsbG8gd29y=bGQ"));
}

TEST_CASE("DecodeQuotedPrintable follows binascii.a2b_qp") {
  CHECK(DecodeQuotedPrintable("a=3Db") == "a=b");
  CHECK(DecodeQuotedPrintable("soft=\nbreak") == "softbreak");
  CHECK(DecodeQuotedPrintable("soft=\r\nbreak") == "softbreak");
  CHECK(DecodeQuotedPrintable("keep  \nspaces") == "keep  \nspaces");
  CHECK(DecodeQuotedPrintable("bad=ZZ") == "bad=ZZ");
  CHECK(DecodeQuotedPrintable("double==") == "double=");
  CHECK(DecodeQuotedPrintable("end=") == "end");
  CHECK(DecodeQuotedPrintable("crlf\r\nkept") == "crlf\r\nkept");
}

std::string GzipOf(const char* file) {
  std::ifstream in(std::string(S3US_TEST_DATA_DIR) + "/userdata/" + file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST_CASE("Gunzip accepts what gzip.GzipFile accepts and nothing else") {
  uint64_t budget = 1 << 20;
  CHECK(Gunzip(GzipOf("gzip-script"), &budget).data == "#!/bin/sh\necho hello\n");
  CHECK(Gunzip(GzipOf("gzip-multimember"), &budget).data == "#!/bin/sh\necho a\necho b\n");
  CHECK(Gunzip(GzipOf("gzip-zero-padded"), &budget).status == GunzipStatus::kOk);
  CHECK(Gunzip("", &budget).status == GunzipStatus::kOk);
  auto garbage = Gunzip(GzipOf("gzip-trailing-garbage"), &budget);
  CHECK(garbage.status == GunzipStatus::kInvalid);
  CHECK(garbage.cause == "not a gzipped file");
  auto truncated = Gunzip(GzipOf("gzip-truncated"), &budget);
  CHECK(truncated.cause == "compressed file ended before the end-of-stream marker was reached");
  std::string bad_crc = GzipOf("gzip-script");
  bad_crc[bad_crc.size() - 8] ^= 1;
  CHECK(Gunzip(bad_crc, &budget).cause == "crc check failed");
}

TEST_CASE("GunzipTo hands out what Gunzip returns, in bounded chunks, and stops when told") {
  uint64_t budget = 1 << 20;
  std::string streamed;
  size_t chunks = 0;
  auto collect = [&](std::string_view chunk) {
    CHECK(chunk.size() <= 64 * 1024);
    streamed.append(chunk);
    ++chunks;
    return true;
  };
  CHECK(GunzipTo(GzipOf("gzip-multimember"), &budget, collect).status == GunzipStatus::kOk);
  CHECK(streamed == "#!/bin/sh\necho a\necho b\n");
  CHECK(chunks >= 2);  // one per member at least
  auto refused = GunzipTo(GzipOf("gzip-script"), &budget, [](std::string_view) { return false; });
  CHECK(refused.status == GunzipStatus::kStopped);
  // A bad CRC is found after the bytes went out: only kOk makes them a result.
  std::string bad_crc = GzipOf("gzip-script");
  bad_crc[bad_crc.size() - 8] ^= 1;
  streamed.clear();
  CHECK(GunzipTo(bad_crc, &budget, collect).cause == "crc check failed");
}

TEST_CASE("Gunzip stops at its budget") {
  uint64_t budget = 10;
  auto r = Gunzip(GzipOf("gzip-script"), &budget);
  CHECK(r.status == GunzipStatus::kLimitExceeded);
  CHECK(r.data.size() <= 10);
}

}  // namespace
}  // namespace s3us::userdata

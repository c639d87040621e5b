#include "userdata/gzip.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

namespace s3us::userdata {
namespace {

std::string GzipOf(const char* file) {
  std::ifstream in(std::string(S3US_TEST_DATA_DIR) + "/userdata/" + file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// GunzipTo's bytes collected, as one result.
struct Gunzipped {
  GunzipStatus status;
  std::string data;
  std::string cause;
};
Gunzipped Gunzip(std::string_view in, uint64_t* budget) {
  Gunzipped r;
  GunzipResult g = GunzipTo(in, budget, [&r](std::string_view chunk, size_t) {
    r.data.append(chunk);
    return true;
  });
  r.status = g.status;
  r.cause = g.cause;
  return r;
}

TEST_CASE("GunzipTo accepts what gzip.GzipFile accepts and nothing else") {
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

TEST_CASE("GunzipTo hands out bounded chunks with how far it has read, and stops when told") {
  uint64_t budget = 1 << 20;
  std::string streamed;
  size_t chunks = 0;
  size_t read_to = 0;
  std::string input = GzipOf("gzip-multimember");
  auto collect = [&](std::string_view chunk, size_t read) {
    CHECK(read >= read_to);
    CHECK(read <= input.size());
    read_to = read;
    CHECK(chunk.size() <= 64 * 1024);
    streamed.append(chunk);
    ++chunks;
    return true;
  };
  CHECK(GunzipTo(input, &budget, collect).status == GunzipStatus::kOk);
  CHECK(read_to > input.size() / 2);  // the second member's bytes come from its own input
  CHECK(streamed == "#!/bin/sh\necho a\necho b\n");
  CHECK(chunks >= 2);  // one per member at least
  auto refused =
      GunzipTo(GzipOf("gzip-script"), &budget, [](std::string_view, size_t) { return false; });
  CHECK(refused.status == GunzipStatus::kStopped);
  // A bad CRC is found after the bytes went out: only kOk makes them a result.
  std::string bad_crc = GzipOf("gzip-script");
  bad_crc[bad_crc.size() - 8] ^= 1;
  streamed.clear();
  read_to = 0;
  input = bad_crc;
  CHECK(GunzipTo(input, &budget, collect).cause == "crc check failed");
}

TEST_CASE("GunzipTo stops at its budget") {
  uint64_t budget = 10;
  auto r = Gunzip(GzipOf("gzip-script"), &budget);
  CHECK(r.status == GunzipStatus::kLimitExceeded);
  CHECK(r.data.size() <= 10);
}

}  // namespace
}  // namespace s3us::userdata

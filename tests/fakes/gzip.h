// gzip of a string (one member, zlib level 9), for tests that feed gzip user data or objects.
#ifndef S3US_TESTS_FAKES_GZIP_H_
#define S3US_TESTS_FAKES_GZIP_H_

#include <zlib.h>

#include <catch2/catch.hpp>
#include <string>

namespace s3us::testing {

inline std::string Gzip(const std::string& data) {
  z_stream z{};
  REQUIRE(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&z, data.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

}  // namespace s3us::testing

#endif  // S3US_TESTS_FAKES_GZIP_H_

#include "net/sinks.h"

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace s3us::net {
namespace {

class TempDir {
 public:
  TempDir() {
    char t[] = "/tmp/s3us-sinks-test-XXXXXX";
    path_ = mkdtemp(t);
  }
  ~TempDir() { std::system(("rm -rf " + path_).c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST_CASE("MemorySink collects chunks and forgets them on Reset") {
  MemorySink sink;
  REQUIRE(sink.Write("abc").ok());
  REQUIRE(sink.Write("def").ok());
  CHECK(sink.data() == "abcdef");
  REQUIRE(sink.Reset().ok());
  CHECK(sink.data().empty());
  REQUIRE(sink.Write("g").ok());
  CHECK(sink.Take() == "g");
}

TEST_CASE("MemorySink refuses to grow past its limit with kLimitExceeded") {
  MemorySink sink(5);
  REQUIRE(sink.Write("12345").ok());
  Status s = sink.Write("6");
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code() == ErrorCode::kLimitExceeded);
  CHECK(sink.data() == "12345");
  REQUIRE(sink.Reset().ok());
  CHECK(sink.Write("abcde").ok());
}

TEST_CASE("FileSink writes nothing at the destination until Commit") {
  TempDir dir;
  std::string dest = dir.path() + "/obj";
  Result<FileSink> sink = FileSink::Create(dest, 0600);
  REQUIRE(sink.ok());
  REQUIRE(sink->Write("hello ").ok());
  REQUIRE(sink->Write("world").ok());
  CHECK(sink->bytes_written() == 11);
  CHECK(access(dest.c_str(), F_OK) != 0);
  REQUIRE(sink->Commit().ok());
  Result<std::string> data = ReadFile(dest, 100);
  REQUIRE(data.ok());
  CHECK(*data == "hello world");
  struct stat st;
  REQUIRE(stat(dest.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("FileSink Reset truncates what a failed attempt wrote") {
  TempDir dir;
  std::string dest = dir.path() + "/obj";
  Result<FileSink> sink = FileSink::Create(dest, 0600);
  REQUIRE(sink.ok());
  REQUIRE(sink->Write("partial garbage from attempt one").ok());
  REQUIRE(sink->Reset().ok());
  CHECK(sink->bytes_written() == 0);
  REQUIRE(sink->Write("good").ok());
  REQUIRE(sink->Commit().ok());
  Result<std::string> data = ReadFile(dest, 100);
  REQUIRE(data.ok());
  CHECK(*data == "good");
}

TEST_CASE("FileSink keeps every byte while it starts writeback along the way, across a Reset") {
  TempDir dir;
  std::string dest = dir.path() + "/obj";
  Result<FileSink> sink = FileSink::Create(dest, 0600);
  REQUIRE(sink.ok());
  const std::string piece(1 << 20, 'x');
  for (uint64_t i = 0; i < 2 * FileSink::kWritebackStep / piece.size() + 1; ++i) {
    REQUIRE(sink->Write(piece).ok());
  }
  REQUIRE(sink->Reset().ok());
  std::string body;
  for (int i = 0; body.size() < FileSink::kWritebackStep + 12345; ++i) {
    body += std::string(4096 + i, static_cast<char>('a' + i % 26));
  }
  for (size_t at = 0; at < body.size(); at += 100'000) {
    REQUIRE(sink->Write(std::string_view(body).substr(at, 100'000)).ok());
  }
  REQUIRE(sink->Commit().ok());
  Result<std::string> data = ReadFile(dest, 64 << 20);
  REQUIRE(data.ok());
  CHECK(*data == body);
}

TEST_CASE("FileSink refuses to grow past its limit counted from the last Reset") {
  TempDir dir;
  Result<FileSink> sink = FileSink::Create(dir.path() + "/obj", 0600, 8);
  REQUIRE(sink.ok());
  REQUIRE(sink->Write("12345678").ok());
  Status s = sink->Write("9");
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code() == ErrorCode::kLimitExceeded);
  REQUIRE(sink->Reset().ok());
  CHECK(sink->Write("abcdefgh").ok());
}

TEST_CASE("FileSink Create refuses a destination that is not a regular file") {
  TempDir dir;
  Result<FileSink> sink = FileSink::Create(dir.path(), 0600);
  REQUIRE_FALSE(sink.ok());
  CHECK(sink.error().code() == ErrorCode::kUnsafePath);
}

}  // namespace
}  // namespace s3us::net

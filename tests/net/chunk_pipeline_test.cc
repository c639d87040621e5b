#include "net/chunk_pipeline.h"

#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <vector>

namespace s3us::net {
namespace {

// Bytes that differ from block to block, so that a reordered or repeated block shows.
std::string Pattern(size_t size) {
  std::string out(size, '\0');
  uint32_t x = 12345;
  for (char& c : out) {
    x = x * 1103515245 + 12345;
    c = static_cast<char>(x >> 24);
  }
  return out;
}

TEST_CASE("ChunkPipeline hands every byte to the consumer once, in order, in whole blocks") {
  const std::string input = Pattern(300'001);
  std::string seen;
  std::vector<size_t> sizes;
  ChunkPipeline pipeline({[&](std::string_view block) {
                           seen.append(block);
                           sizes.push_back(block.size());
                           return Ok();
                         }},
                         4096, 2);
  size_t at = 0;
  for (size_t step = 1; at < input.size(); step = step * 7 % 10007 + 1) {
    size_t n = std::min(step, input.size() - at);
    REQUIRE(pipeline.Write(std::string_view(input).substr(at, n)).ok());
    at += n;
  }
  REQUIRE(pipeline.Drain().ok());
  CHECK(seen == input);
  REQUIRE(sizes.size() == input.size() / 4096 + 1);
  for (size_t i = 0; i + 1 < sizes.size(); ++i) CHECK(sizes[i] == 4096);
  CHECK(sizes.back() == input.size() % 4096);
}

TEST_CASE("ChunkPipeline drains again after more bytes, and an empty drain waits for nothing") {
  std::string seen;
  ChunkPipeline pipeline({[&](std::string_view block) {
    seen.append(block);
    return Ok();
  }});
  REQUIRE(pipeline.Drain().ok());
  REQUIRE(pipeline.Write("abc").ok());
  REQUIRE(pipeline.Drain().ok());
  CHECK(seen == "abc");
  REQUIRE(pipeline.Write("def").ok());
  REQUIRE(pipeline.Drain().ok());
  CHECK(seen == "abcdef");
}

TEST_CASE("ChunkPipeline stops at the consumer's first error and reports it to the writer") {
  int calls = 0;
  ChunkPipeline pipeline({[&](std::string_view) -> Status {
                           if (++calls == 3) return Error(ErrorCode::kIo, "disk full");
                           return Ok();
                         }},
                         16, 2);
  const std::string block(16, 'x');
  Status status = Ok();
  // With two blocks, the writer must wait for the consumer; the error reaches it by then.
  for (int i = 0; i < 100 && status.ok(); ++i) status = pipeline.Write(block);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().code() == ErrorCode::kIo);
  CHECK(status.error().message() == "disk full");
  Status drained = pipeline.Drain();
  REQUIRE_FALSE(drained.ok());
  CHECK(drained.error().message() == "disk full");
  CHECK(calls == 3);  // nothing after the failed block reached the consumer
}

TEST_CASE("ChunkPipeline reports an error of the last block at Drain") {
  ChunkPipeline pipeline({[](std::string_view block) -> Status {
                           if (block == "tail") return Error(ErrorCode::kIo, "short write");
                           return Ok();
                         }},
                         8, 2);
  REQUIRE(pipeline.Write("12345678").ok());
  REQUIRE(pipeline.Write("tail").ok());
  Status drained = pipeline.Drain();
  REQUIRE_FALSE(drained.ok());
  CHECK(drained.error().message() == "short write");
}

TEST_CASE("ChunkPipeline can be destroyed with blocks still queued") {
  std::string seen;
  {
    ChunkPipeline pipeline({[&](std::string_view block) {
                             seen.append(block);
                             return Ok();
                           }},
                           4, 8);
    REQUIRE(pipeline.Write(Pattern(20)).ok());
  }
  // Whatever was consumed before the stop is a prefix of what was written, in order.
  CHECK(Pattern(20).starts_with(seen));
  CHECK(seen.size() % 4 == 0);
}

TEST_CASE("ChunkPipeline gives every consumer every byte, in order, on threads of their own") {
  const std::string input = Pattern(100'003);
  std::string first;
  std::string second;
  std::thread::id first_thread;
  std::thread::id second_thread;
  ChunkPipeline pipeline({[&](std::string_view block) {
                            first.append(block);
                            first_thread = std::this_thread::get_id();
                            return Ok();
                          },
                          [&](std::string_view block) {
                            second.append(block);
                            second_thread = std::this_thread::get_id();
                            return Ok();
                          }},
                         1000, 3);
  for (size_t at = 0; at < input.size(); at += 777) {
    REQUIRE(pipeline.Write(std::string_view(input).substr(at, 777)).ok());
  }
  REQUIRE(pipeline.Drain().ok());
  CHECK(first == input);
  CHECK(second == input);
  CHECK(first_thread != second_thread);
  CHECK(first_thread != std::this_thread::get_id());
}

TEST_CASE("ChunkPipeline stops every consumer at the first error of one") {
  std::string seen;
  ChunkPipeline pipeline({[&](std::string_view block) {
                            seen.append(block);
                            return Ok();
                          },
                          [](std::string_view block) -> Status {
                            if (block.starts_with("bad")) return Error(ErrorCode::kIo, "no");
                            return Ok();
                          }},
                         4, 2);
  Status status = Ok();
  for (int i = 0; i < 50 && status.ok(); ++i) status = pipeline.Write(i == 5 ? "bad!" : "good");
  Status drained = pipeline.Drain();
  REQUIRE_FALSE(drained.ok());
  CHECK(drained.error().message() == "no");
  // The other consumer saw a prefix: at most the failed block and the one queued after it.
  CHECK(seen.size() <= 7 * 4);
  CHECK(std::string("goodgoodgoodgoodgoodbad!good").starts_with(seen));
}

}  // namespace
}  // namespace s3us::net

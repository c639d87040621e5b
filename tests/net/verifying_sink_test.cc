#include "net/verifying_sink.h"

#include <catch2/catch.hpp>

#include "core/crypto.h"
#include "fakes/recording_sink.h"

namespace s3us::net {
namespace {

Response Head(Headers headers = {}) {
  Response r;
  r.status = 200;
  r.headers = std::move(headers);
  return r;
}

Expectation Md5Of(std::string_view body, bool fallback) {
  return {.digest = Digest::kMd5,
          .value = Hex(Md5(body)),
          .label = "ETag (MD5)",
          .evidence = "etag-md5",
          .fallback = fallback};
}

Expectation Pin(std::string_view body) {
  return {.digest = Digest::kSha256,
          .value = Sha256Hex(body),
          .label = "sha256",
          .evidence = "sha256 pin"};
}

TEST_CASE("VerifyingSink counts and hashes only what follows the last Reset") {
  VerifyingSink sink(0, nullptr, true);
  REQUIRE(sink.Begin(Head()).ok());
  REQUIRE(sink.Write("partial attempt").ok());
  REQUIRE(sink.Reset().ok());
  REQUIRE(sink.Begin(Head({{"content-length", "11"}})).ok());
  REQUIRE(sink.Write("hello ").ok());
  REQUIRE(sink.Write("world").ok());
  Result<VerifiedBody> v = sink.Finish(Head());
  REQUIRE(v.ok());
  CHECK(v->bytes == 11);
  CHECK(v->sha256 == Sha256Hex("hello world"));
  CHECK(v->verified_by == "content-length");
  CHECK(sink.TakeBody() == "hello world");
}

TEST_CASE("VerifyingSink forwards to the caller's sink and keeps nothing itself") {
  testing::RecordingSink target;
  VerifyingSink sink(0, &target, false);
  REQUIRE(sink.Begin(Head()).ok());
  REQUIRE(sink.Write("abc").ok());
  REQUIRE(sink.Reset().ok());
  REQUIRE(sink.Begin(Head()).ok());
  REQUIRE(sink.Write("def").ok());
  CHECK(target.data == "def");
  CHECK(target.resets == 1);
  CHECK(sink.TakeBody().empty());
}

TEST_CASE("VerifyingSink aborts the transfer at the size limit, declared or streamed") {
  VerifyingSink sink(5, nullptr, false);
  REQUIRE(sink.Begin(Head()).ok());
  REQUIRE(sink.Write("12345").ok());
  Status over = sink.Write("6");
  REQUIRE_FALSE(over.ok());
  CHECK(over.error().code() == ErrorCode::kLimitExceeded);
  CHECK(over.error().message() == "object exceeds the size limit of 5 B (5 bytes)");

  VerifyingSink declared(5, nullptr, false);
  Status head = declared.Begin(Head({{"content-length", "6"}}));
  REQUIRE_FALSE(head.ok());
  CHECK(head.error().message() == SizeLimitError(5).message() + ": Content-Length is 6");
}

TEST_CASE("ParseContentLength reads a number, or a list of one number repeated") {
  CHECK(ParseContentLength(" 18 ") == 18u);
  CHECK(ParseContentLength("18, 18,18") == 18u);  // a proxy's merge of repeated headers
  for (const char* bad : {"", "18, 20", "18,", "+18", "-1", "18 18", "0x12"}) {
    CHECK_FALSE(ParseContentLength(bad).has_value());
  }
}

TEST_CASE("VerifyingSink refuses bytes before the head") {
  VerifyingSink sink(0, nullptr, false);
  Status s = sink.Write("x");
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code() == ErrorCode::kInternal);
}

TEST_CASE("VerifyingSink fails a short body as retryable, a long one as not") {
  struct Case {
    const char* declared;
    bool retryable;
    std::string message;
  };
  for (const Case& c :
       {Case{"4", true, "incomplete body: expected 4 bytes, received 3"},
        Case{"2", false, "body longer than its Content-Length: expected 2 bytes, received 3"}}) {
    VerifyingSink sink(0, nullptr, false);
    REQUIRE(sink.Begin(Head({{"content-length", c.declared}})).ok());
    REQUIRE(sink.Write("abc").ok());
    Result<VerifiedBody> v = sink.Finish(Head());
    REQUIRE_FALSE(v.ok());
    CHECK(v.error().code() == ErrorCode::kLengthMismatch);
    CHECK(v.error().retryable() == c.retryable);
    CHECK(v.error().message() == c.message);
  }
}

TEST_CASE("VerifyingSink checks each expectation, head's first, and names a mismatch once") {
  VerifyingSink sink(0, nullptr, false);
  sink.Expect(Pin("abc"));
  sink.set_head_reader(
      [](const Response&) { return std::vector<Expectation>{Md5Of("abc", false)}; });
  REQUIRE(sink.Begin(Head({{"content-length", "3"}})).ok());
  REQUIRE(sink.Write("abc").ok());
  Result<VerifiedBody> ok = sink.Finish(Head());
  REQUIRE(ok.ok());
  CHECK(ok->verified_by == "content-length, etag-md5, sha256 pin");
  CHECK(ok->sha256 == Sha256Hex("abc"));

  VerifyingSink bad(0, nullptr, false);
  bad.Expect(Pin("xyz"));
  REQUIRE(bad.Begin(Head()).ok());
  REQUIRE(bad.Write("abc").ok());
  Result<VerifiedBody> mismatch = bad.Finish(Head());
  REQUIRE_FALSE(mismatch.ok());
  CHECK(mismatch.error().code() == ErrorCode::kDigestMismatch);
  CHECK(mismatch.error().message() ==
        "sha256 mismatch: expected " + Sha256Hex("xyz") + ", got " + Sha256Hex("abc"));
}

TEST_CASE("VerifyingSink computes a fallback digest only when nothing else is expected") {
  auto reader = [](const Response&) {
    return std::vector<Expectation>{Md5Of("something else", true)};
  };
  SECTION("alone, the fallback is checked") {
    VerifyingSink sink(0, nullptr, false);
    sink.set_head_reader(reader);
    REQUIRE(sink.Begin(Head()).ok());
    REQUIRE(sink.Write("abc").ok());
    Result<VerifiedBody> v = sink.Finish(Head());
    REQUIRE_FALSE(v.ok());
    CHECK(v.error().code() == ErrorCode::kDigestMismatch);
    CHECK(v.error().message().starts_with("ETag (MD5) mismatch: expected "));
  }
  SECTION("beside a pin, it is neither computed nor named") {
    VerifyingSink sink(0, nullptr, false);
    sink.set_head_reader(reader);
    sink.Expect(Pin("abc"));
    REQUIRE(sink.Begin(Head()).ok());
    REQUIRE(sink.Write("abc").ok());
    Result<VerifiedBody> v = sink.Finish(Head());
    REQUIRE(v.ok());
    CHECK(v->verified_by == "sha256 pin");
  }
}

TEST_CASE("VerifyingSink hashes nothing that no check or record needs") {
  VerifyingSink sink(0, nullptr, false);
  REQUIRE(sink.Begin(Head({{"content-length", "3"}})).ok());
  REQUIRE(sink.Write("abc").ok());
  Result<VerifiedBody> v = sink.Finish(Head());
  REQUIRE(v.ok());
  CHECK(v->sha256.empty());
  CHECK(v->verified_by == "content-length");
}

TEST_CASE("VerifyingSink reads the head at Finish for a body that never arrived") {
  VerifyingSink sink(0, nullptr, true);
  Result<VerifiedBody> v = sink.Finish(Head({{"content-length", "0"}}));
  REQUIRE(v.ok());
  CHECK(v->bytes == 0);
  CHECK(v->sha256 == Sha256Hex(""));
  CHECK(v->verified_by == "content-length");
}

TEST_CASE("VerifyingSink refuses a 206: a part is not the object, whatever vouches for it") {
  Response partial = Head({{"content-length", "3"}});
  partial.status = 206;
  VerifyingSink sink(0, nullptr, false);
  Status begun = sink.Begin(partial);
  REQUIRE_FALSE(begun.ok());
  CHECK(begun.error().code() == ErrorCode::kIntegrity);
  CHECK_FALSE(begun.error().retryable());
  VerifyingSink empty(0, nullptr, false);
  CHECK(empty.Finish(partial).error().message().find("206 Partial Content") != std::string::npos);
}

TEST_CASE("VerifyingSink refuses a 200 whose Content-Range says it holds a part") {
  for (const char* range : {"bytes 0-9/21", "bytes 1-21/22", "bytes */21", "bytes 0-9/*",
                            "bytes 0-20/20", "items 0-20/21", "bytes 0-x/21"}) {
    DYNAMIC_SECTION(range) {
      VerifyingSink sink(0, nullptr, false);
      Status begun = sink.Begin(Head({{"content-length", "10"}, {"content-range", range}}));
      REQUIRE_FALSE(begun.ok());
      CHECK(begun.error().code() == ErrorCode::kIntegrity);
      CHECK(begun.error().message().find(range) != std::string::npos);
    }
  }
  VerifyingSink whole(0, nullptr, false);
  CHECK(whole.Begin(Head({{"content-length", "21"}, {"content-range", "bytes 0-20/21"}})).ok());
}

TEST_CASE("VerifyingSink refuses evidence headers sent twice with different values") {
  for (const char* name : {"etag", "x-amz-checksum-sha256", "x-amz-checksum-type",
                           "x-amz-server-side-encryption", "content-range"}) {
    DYNAMIC_SECTION(name) {
      VerifyingSink sink(0, nullptr, false);
      Status begun =
          sink.Begin(Head({{name, "bytes 0-4/5"}, {"content-length", "5"}, {name, "b"}}));
      REQUIRE_FALSE(begun.ok());
      CHECK(begun.error().code() == ErrorCode::kIntegrity);
      CHECK(begun.error().message() == "the answer has " + std::string(name) +
                                           " headers that differ: which one vouches for the "
                                           "object is unknown");
    }
  }
  VerifyingSink same(0, nullptr, false);
  CHECK(same.Begin(Head({{"etag", "\"abc\""},
                         {"x-amz-meta-a", "1"},
                         {"etag", " \"abc\""},
                         {"x-amz-meta-a", "2"}}))
            .ok());
}

TEST_CASE("VerifyingSink quotes a declared digest as a line may show it") {
  VerifyingSink sink(0, nullptr, false);
  std::string declared = "\x1b[31m" + std::string(5000, 'Z');
  sink.set_head_reader([&](const Response&) {
    return std::vector<Expectation>{{.digest = Digest::kSha256,
                                     .base64 = true,
                                     .value = declared,
                                     .label = "x-amz-checksum-sha256",
                                     .evidence = "x-amz-checksum-sha256"}};
  });
  REQUIRE(sink.Begin(Head()).ok());
  REQUIRE(sink.Write("abc").ok());
  Result<VerifiedBody> v = sink.Finish(Head());
  REQUIRE_FALSE(v.ok());
  CHECK(v.error().code() == ErrorCode::kDigestMismatch);
  CHECK(v.error().message().starts_with("x-amz-checksum-sha256 mismatch: expected \\x1b[31mZZZ"));
  CHECK(v.error().message().size() < 400);
}

// Past VerifyingSink::kInlineBytes the body is hashed and forwarded on the pipeline's threads.
std::string Large(size_t size, char seed) {
  std::string out(size, '\0');
  uint32_t x = static_cast<unsigned char>(seed);
  for (char& c : out) {
    x = x * 1103515245 + 12345;
    c = static_cast<char>(x >> 24);
  }
  return out;
}

// Writes `body` in uneven chunks, as libcurl hands them over; the first failure, if any.
Status WriteInChunks(VerifyingSink& sink, std::string_view body) {
  size_t at = 0;
  for (size_t step = 1000; at < body.size(); step = step * 5 % 300007 + 1) {
    size_t n = std::min(step, body.size() - at);
    if (Status s = sink.Write(body.substr(at, n)); !s.ok()) return s;
    at += n;
  }
  return Ok();
}

// Fails every write once `fail_after` bytes arrived.
class FailingSink : public BodySink {
 public:
  explicit FailingSink(uint64_t fail_after) : fail_after_(fail_after) {}
  Status Write(std::string_view chunk) override {
    if (bytes_ + chunk.size() > fail_after_) return Error(ErrorCode::kIo, "disk full");
    bytes_ += chunk.size();
    return Ok();
  }
  Status Reset() override { return Ok(); }

 private:
  uint64_t fail_after_;
  uint64_t bytes_ = 0;
};

TEST_CASE("VerifyingSink hashes and forwards a large body whole and in order") {
  const std::string body = Large(5 * VerifyingSink::kInlineBytes + 12345, 'a');
  testing::RecordingSink target;
  VerifyingSink sink(0, &target, false);
  sink.Expect(Pin(body));
  REQUIRE(sink.Begin(Head({{"content-length", std::to_string(body.size())}})).ok());
  REQUIRE(WriteInChunks(sink, body).ok());
  Result<VerifiedBody> v = sink.Finish(Head());
  REQUIRE(v.ok());
  CHECK(v->bytes == body.size());
  CHECK(v->sha256 == Sha256Hex(body));
  CHECK(v->verified_by == "content-length, sha256 pin");
  CHECK(target.data == body);
}

TEST_CASE("VerifyingSink keeps a large body in memory when it has no forward sink") {
  const std::string body = Large(3 * VerifyingSink::kInlineBytes + 1, 'b');
  VerifyingSink sink(0, nullptr, true);
  REQUIRE(sink.Begin(Head()).ok());
  REQUIRE(WriteInChunks(sink, body).ok());
  Result<VerifiedBody> v = sink.Finish(Head());
  REQUIRE(v.ok());
  CHECK(v->sha256 == Sha256Hex(body));
  CHECK(sink.TakeBody() == body);
}

TEST_CASE("VerifyingSink starts over when a transfer is retried in the middle of a large body") {
  const std::string first = Large(3 * VerifyingSink::kInlineBytes + 777, 'c');
  const std::string second = Large(2 * VerifyingSink::kInlineBytes + 5, 'd');
  testing::RecordingSink target;
  VerifyingSink sink(0, &target, false);
  sink.Expect(Pin(second));
  REQUIRE(sink.Begin(Head()).ok());
  REQUIRE(WriteInChunks(sink, first).ok());
  REQUIRE(sink.Reset().ok());
  REQUIRE(sink.Begin(Head({{"content-length", std::to_string(second.size())}})).ok());
  REQUIRE(WriteInChunks(sink, second).ok());
  Result<VerifiedBody> v = sink.Finish(Head());
  REQUIRE(v.ok());
  CHECK(v->bytes == second.size());
  CHECK(v->sha256 == Sha256Hex(second));
  CHECK(target.resets == 1);
  CHECK(target.data == second);  // nothing of the first attempt reached the target after Reset
}

TEST_CASE("VerifyingSink stops a large body at the size limit on the receiving thread") {
  const uint64_t limit = 3 * VerifyingSink::kInlineBytes;
  const std::string body = Large(limit + 4096, 'e');
  testing::RecordingSink target;
  VerifyingSink sink(limit, &target, false);
  REQUIRE(sink.Begin(Head()).ok());
  Status s = WriteInChunks(sink, body);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code() == ErrorCode::kLimitExceeded);
  CHECK(sink.bytes() <= limit);
  REQUIRE(sink.Reset().ok());  // the pipeline stops without waiting for more bytes
  CHECK(target.data.empty());
}

TEST_CASE("VerifyingSink fails a large body whose digest differs, after hashing every byte") {
  const std::string body = Large(4 * VerifyingSink::kInlineBytes, 'f');
  std::string tampered = body;
  tampered[tampered.size() - 1] ^= 1;  // the very last byte: Finish must wait for it
  VerifyingSink sink(0, nullptr, false);
  sink.Expect(Pin(body));
  REQUIRE(sink.Begin(Head()).ok());
  REQUIRE(WriteInChunks(sink, tampered).ok());
  Result<VerifiedBody> v = sink.Finish(Head());
  REQUIRE_FALSE(v.ok());
  CHECK(v.error().code() == ErrorCode::kDigestMismatch);
  CHECK(v.error().message() ==
        "sha256 mismatch: expected " + Sha256Hex(body) + ", got " + Sha256Hex(tampered));
}

TEST_CASE("VerifyingSink passes on the forward sink's failure from the pipeline's thread") {
  const std::string body = Large(6 * VerifyingSink::kInlineBytes, 'g');
  SECTION("while the body streams or at Finish") {
    FailingSink target(2 * VerifyingSink::kInlineBytes);
    VerifyingSink sink(0, &target, false);
    sink.Expect(Pin(body));
    REQUIRE(sink.Begin(Head()).ok());
    Status written = WriteInChunks(sink, body);
    Error e = written.ok() ? sink.Finish(Head()).error() : written.error();
    CHECK(e.code() == ErrorCode::kIo);
    CHECK(e.message() == "disk full");
    REQUIRE(sink.Reset().ok());  // stops the pipeline, whatever it still held
  }
  SECTION("in the last block, at Finish") {
    FailingSink target(body.size() - 1);
    VerifyingSink sink(0, &target, false);
    REQUIRE(sink.Begin(Head()).ok());
    REQUIRE(WriteInChunks(sink, body).ok());
    Result<VerifiedBody> v = sink.Finish(Head());
    REQUIRE_FALSE(v.ok());
    CHECK(v.error().message() == "disk full");
  }
}

}  // namespace
}  // namespace s3us::net

#include "core/secret.h"

#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "core/log.h"

namespace s3us {
namespace {

template <typename T, typename = void>
struct IsStreamable : std::false_type {};
template <typename T>
struct IsStreamable<T, std::void_t<decltype(std::declval<std::ostream&>() << std::declval<T>())>>
    : std::true_type {};

TEST_CASE("Secret has no printable form") {
  STATIC_REQUIRE_FALSE(IsStreamable<Secret>::value);
  STATIC_REQUIRE_FALSE(std::is_convertible_v<Secret, std::string>);
}

TEST_CASE("a secret that escapes into a log line is redacted") {
  Secret token("AQAEAKQRRHnsX8GCPgYTGMShrFJkMhru3n-8Ul5Gzvzj-bpWKYZuiw==");
  std::string seen;
  SetLogSink([&](LogLevel, std::string_view line) { seen = line; });
  LogWarning("token was " + token.reveal());
  SetLogSink(nullptr);
  CHECK(seen == "s3-user-script: warning: token was <redacted>");
}

TEST_CASE("RedactSecrets replaces every occurrence") {
  Secret key("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  CHECK(RedactSecrets("a " + key.reveal() + " b " + key.reveal()) == "a <redacted> b <redacted>");
}

TEST_CASE("RedactSecrets replaces a secret cut or percent-encoded, and no ordinary text") {
  Secret token("IQoJb3JpZ2luX2VjEHostile/Token+Value=0123456789abcdefghijklmnopqrstuvwxyz");
  const std::string& t = token.reveal();
  CHECK(RedactSecrets("cut " + t.substr(0, 24) + " end") == "cut <redacted> end");
  CHECK(RedactSecrets("mid " + t.substr(20, 16) + ".") == "mid <redacted>.");
  CHECK(RedactSecrets("tail " + t.substr(t.size() - 30)) == "tail <redacted>");
  CHECK(RedactSecrets("enc IQoJb3JpZ2luX2VjEHostile%2FToken%2BValue%3D0123456789abcdefghijkl") ==
        "enc <redacted>");
  CHECK(RedactSecrets("path IQoJb3JpZ2luX2VjEHostile/Token%2BValue%3D0123") == "path <redacted>");
  CHECK(RedactSecrets(t.substr(0, 15) + " is too short to be one") ==
        t.substr(0, 15) + " is too short to be one");
  const std::string plain = "s3-user-script: error: part 1 line 2 (s3://bkt/obj): HTTP 403";
  CHECK(RedactSecrets(plain) == plain);
}

TEST_CASE("RedactSecrets replaces short secrets whole, the longer of two first") {
  RegisterSecretValue("sh0rt-pa55-x");  // 12 bytes: under a window, looked for whole
  RegisterSecretValue("sh0rt-pa55");
  CHECK(RedactSecrets("a sh0rt-pa55-x b sh0rt-pa55 c") == "a <redacted> b <redacted> c");
}

TEST_CASE("RedactSecrets leaves values under 8 bytes alone: they would redact ordinary text") {
  // LocalStack's credentials are "test": "s3://my-test-bucket/test.sh" must stay readable.
  RegisterSecretValue("test");
  RegisterSecretValue("tiny7ch");
  CHECK(RedactSecrets("s3://my-test-bucket/test.sh tiny7ch") ==
        "s3://my-test-bucket/test.sh tiny7ch");
}

TEST_CASE("RedactSecrets replaces a secret in lower-case percent-encoding and in JSON") {
  // A server echoing the token as JSON ("\/") or with %2f instead of %2F got it printed.
  Secret token("FQoGZXIvYXdzEPT//////////wEaDEXAMPLEj7Iu+8hJc/3rAyKwAQ==");
  CHECK(RedactSecrets(
            R"({"t":"FQoGZXIvYXdzEPT\/\/\/\/\/\/\/\/\/\/wEaDEXAMPLEj7Iu+8hJc\/3rAyKwAQ=="})") ==
        R"({"t":"<redacted>"})");
  CHECK(RedactSecrets("t=FQoGZXIvYXdzEPT%2f%2f%2f%2f%2f%2f%2f%2f%2f%2fwEaDEXAMPLEj7Iu%2b8hJc%"
                      "2f3rAyKwAQ%3d%3d") == "t=<redacted>");
}

TEST_CASE("RedactSecrets sees values registered by other threads while they register") {
  constexpr int kThreads = 8;
  constexpr int kValues = 200;
  std::vector<std::thread> threads;
  std::vector<int> missed(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &missed] {
      for (int i = 0; i < kValues; ++i) {
        std::string value = "sig-" + std::to_string(t) + "-" + std::to_string(i) +
                            "-0123456789abcdef0123456789abcdef";
        RegisterSecretValue(value);
        if (RedactSecrets("x " + value + " y") != "x <redacted> y") ++missed[t];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) CHECK(missed[t] == 0);
  CHECK(RedactSecrets("sig-3-17-0123456789abcdef0123456789abcdef") == "<redacted>");
}

TEST_CASE("RedactUrl drops query strings and user info") {
  CHECK(RedactUrl("https://b.s3.amazonaws.com/k?X-Amz-Signature=abc&X-Amz-Credential=x") ==
        "https://b.s3.amazonaws.com/k");
  CHECK(RedactUrl("https://user:pw@example.com/a#frag") == "https://example.com/a");
  CHECK(RedactUrl("s3://bucket/key") == "s3://bucket/key");
}

TEST_CASE("RedactUrl keeps S3 URLs and ARNs whole: their ? and # are part of the key") {
  CHECK(RedactUrl("s3://boot/q?x=1#frag") == "s3://boot/q?x=1#frag");
  CHECK(RedactUrl("S3://boot/q?missing") == "S3://boot/q?missing");
  CHECK(RedactUrl("s3://boot/k?versionId=v1") == "s3://boot/k?versionId=v1");
  CHECK(RedactUrl("arn:aws:s3:::boot/a#b?c") == "arn:aws:s3:::boot/a#b?c");
  CHECK(RedactUrl("https://boot.s3.amazonaws.com/q?X-Amz-Signature=abc") ==
        "https://boot.s3.amazonaws.com/q");
}

TEST_CASE("log level filters lines") {
  int count = 0;
  SetLogSink([&](LogLevel, std::string_view) { ++count; });
  SetLogLevel(LogLevel::kWarning);
  LogDebug("hidden");
  LogInfo("hidden");
  LogWarning("shown");
  LogError("shown");
  SetLogSink(nullptr);
  CHECK(count == 2);
}

}  // namespace
}  // namespace s3us

#include "fetch/route.h"

#include <catch2/catch.hpp>

namespace s3us::fetch {
namespace {

TEST_CASE("RouteOf sends every S3 spelling to the signed route and the rest by scheme") {
  struct Case {
    const char* url;
    Route route;
  };
  const Case cases[] = {
      {"s3://my-bucket/app/user-script", Route::kS3},
      {"S3://my-bucket/k", Route::kS3},
      {"my-bucket", Route::kS3},
      {"arn:aws:s3:::my-bucket/k", Route::kS3},
      {"arn:aws:s3:us-east-1:123456789012:accesspoint/ap/object/k", Route::kS3},
      {"https://my-bucket.s3.us-west-2.amazonaws.com/k", Route::kS3},
      {"https://s3.us-west-2.amazonaws.com/my-bucket/k", Route::kS3},
      {"http://my-bucket.s3.amazonaws.com/k", Route::kS3},
      {"https://my-bucket.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=ab",
       Route::kPlain},
      {"https://my-bucket.s3.amazonaws.com/k?AWSAccessKeyId=AK&Signature=x&Expires=1",
       Route::kPlain},
      {"https://example.com/boot.sh", Route::kPlain},
      {"http://10.0.0.1:8080/boot.sh", Route::kPlain},
      {"  https://example.com/padded  ", Route::kPlain},
      {"file:///etc/passwd", Route::kUnsupported},
      {"ftp://example.com/x", Route::kUnsupported},
      {"data:text/plain,hello", Route::kUnsupported},
      {"gs://bucket/key", Route::kUnsupported},
      {"arn:aws:iam::123456789012:role/x", Route::kUnsupported},
      {"not a url/at all", Route::kUnsupported},
      {"", Route::kUnsupported},
  };
  for (const Case& c : cases) {
    INFO(c.url);
    CHECK(RouteOf(c.url) == c.route);
  }
}

TEST_CASE("IsPresignedUrl looks only at query parameter names") {
  CHECK(IsPresignedUrl("https://h/k?x-amz-signature=1"));
  CHECK(IsPresignedUrl("https://h/k?a=b&Signature=1"));
  CHECK_FALSE(IsPresignedUrl("https://h/Signature=1"));
  CHECK_FALSE(IsPresignedUrl("https://h/k?versionId=3"));
  CHECK_FALSE(IsPresignedUrl("https://h/k#Signature=1"));
}

TEST_CASE("ResolveRedirect resolves each Location form against the answering URL") {
  struct Case {
    const char* from;
    const char* location;
    const char* to;
  };
  const Case cases[] = {
      {"https://a.example/x/y?q=1", "https://b.example/z", "https://b.example/z"},
      {"https://a.example/x/y", "//c.example/w", "https://c.example/w"},
      {"https://a.example:8443/x/y", "/root", "https://a.example:8443/root"},
      {"https://a.example/x/y?q=1", "sibling", "https://a.example/x/sibling"},
      {"https://a.example", "rel", "https://a.example/rel"},
      {"http://a.example/x", "https://a.example/secure", "https://a.example/secure"},
  };
  for (const Case& c : cases) {
    INFO(c.from << " + " << c.location);
    Result<std::string> to = ResolveRedirect(c.from, c.location);
    REQUIRE(to.ok());
    CHECK(*to == c.to);
  }
}

TEST_CASE("ResolveRedirect refuses downgrades, other schemes and empty locations") {
  Result<std::string> down = ResolveRedirect("https://a.example/x", "http://a.example/x");
  REQUIRE_FALSE(down.ok());
  CHECK(down.error().code() == ErrorCode::kUnsupported);
  CHECK(down.error().message().find("https to plain http") != std::string::npos);

  Result<std::string> file = ResolveRedirect("http://a.example/x", "file:///etc/shadow");
  REQUIRE_FALSE(file.ok());
  CHECK(file.error().code() == ErrorCode::kUnsupported);

  Result<std::string> empty = ResolveRedirect("http://a.example/x", "");
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().code() == ErrorCode::kHttp);
}

// requests.Request("GET", url).prepare().url, requests 2.28 and urllib3 1.26 (Debian 12).
TEST_CASE("RequestsUrl is the URL requests sends for cloud-init's #include fetch") {
  const std::pair<const char*, const char*> cases[] = {
      {"http://h/a b.sh", "http://h/a%20b.sh"},
      {"http://h/a%20b.sh", "http://h/a%20b.sh"},
      {"http://h/%41%7e%2F%2f", "http://h/A~%2F%2F"},
      {"http://h/x\"<>\\^`{|}", "http://h/x%22%3C%3E%5C%5E%60%7B%7C%7D"},
      {"http://h/!$&'()*+,;=:@[]~?q=1&r=a/b[]#frag",
       "http://h/!$&'()*+,;=:@%5B%5D~?q=1&r=a/b%5B%5D#frag"},
      {"http://h/caf\xc3\xa9", "http://h/caf%C3%A9"},
      {"http://h/100%", "http://h/100%25"},
      {"http://h/%zz%20", "http://h/%25zz%2520"},
      {"http://h/a%%41", "http://h/a%25%2541"},
      {"http://h/a%2fb%zz", "http://h/a%252Fb%25zz"},
      {"http://h/a/../b/./c/..", "http://h/b/"},
      {"http://h/a b?q=a b#f g", "http://h/a%20b?q=a%20b#f%20g"},
      {"http://h", "http://h"},
      // Control bytes are left for the transport to refuse (requests sends a tab as %09).
      {"http://h/a\tb", "http://h/a\tb"},
  };
  for (const auto& [url, sent] : cases) {
    INFO(url);
    CHECK(RequestsUrl(url) == sent);
  }
}

}  // namespace
}  // namespace s3us::fetch

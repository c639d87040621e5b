#include "expand/include_target.h"

#include <catch2/catch.hpp>

#include "expand/key_template.h"

namespace s3us::expand {
namespace {

InstanceFacts WebFacts() {
  InstanceFacts f;
  f.role = "web";
  f.instance_id = "i-0abc";
  return f;
}

// The URL a bucket-only entry shows once it has the role-default key, and the key in its
// parsed location.
Result<std::string> ResolveS3IncludeUrl(std::string_view entry, std::string_view key_template,
                                        const InstanceFacts& facts) {
  Result<fetch::Target> target = ResolveIncludeTarget(entry, true, key_template, facts);
  if (!target.ok()) return target.error();
  REQUIRE(target->s3.ok());
  CHECK(target->Identity() == fetch::ResolveTarget(target->s3->ToS3Url()).Identity());
  return target->url;
}

TEST_CASE("ResolveIncludeTarget gives a bucket-only entry the role-default key in its spelling") {
  struct Case {
    const char* entry;
    const char* url;
  };
  const Case cases[] = {
      {"boot-bucket", "s3://boot-bucket/web/user-script"},
      {"s3://boot-bucket", "s3://boot-bucket/web/user-script"},
      {"s3://boot-bucket/", "s3://boot-bucket/web/user-script"},
      {"arn:aws:s3:::boot-bucket", "arn:aws:s3:::boot-bucket/web/user-script"},
      {"https://boot-bucket.s3.eu-west-1.amazonaws.com/",
       "https://boot-bucket.s3.eu-west-1.amazonaws.com/web/user-script"},
      {"https://s3.eu-west-1.amazonaws.com/boot-bucket",
       "https://s3.eu-west-1.amazonaws.com/boot-bucket/web/user-script"},
      {"arn:aws:s3:us-east-1:123456789012:accesspoint/boot-ap",
       "arn:aws:s3:us-east-1:123456789012:accesspoint/boot-ap/object/web/user-script"},
      {"s3://boot-bucket/explicit/key", "s3://boot-bucket/explicit/key"},
      {"  s3://boot-bucket/padded  ", "s3://boot-bucket/padded"},
  };
  for (const Case& c : cases) {
    INFO(c.entry);
    Result<std::string> url = ResolveS3IncludeUrl(c.entry, kDefaultKeyTemplate, WebFacts());
    REQUIRE(url.ok());
    CHECK(*url == c.url);
  }
}

TEST_CASE("ResolveIncludeTarget shows templated keys encoded only where URLs are decoded") {
  Result<std::string> s3 = ResolveS3IncludeUrl("s3://b-1", "{role}/a b?c", WebFacts());
  REQUIRE(s3.ok());
  CHECK(*s3 == "s3://b-1/web/a b?c");
  Result<std::string> https =
      ResolveS3IncludeUrl("https://b-1.s3.amazonaws.com/", "{role}/a b?c", WebFacts());
  REQUIRE(https.ok());
  CHECK(*https == "https://b-1.s3.amazonaws.com/web/a%20b%3Fc");
  // The key itself is exact in every spelling; nothing parses the shown URL again.
  for (const char* entry :
       {"s3://b-1", "https://b-1.s3.amazonaws.com/", "s3://b-1/?versionId=v7"}) {
    INFO(entry);
    Result<fetch::Target> target = ResolveIncludeTarget(entry, true, "{role}/a b?c", WebFacts());
    REQUIRE(target.ok());
    REQUIRE(target->s3.ok());
    CHECK(target->s3->key == "web/a b?c");
    CHECK(target->route == fetch::Route::kS3);
  }
  Result<fetch::Target> versioned =
      ResolveIncludeTarget("s3://b-1/?versionId=v7", true, "{role}/k", WebFacts());
  REQUIRE(versioned.ok());
  CHECK(versioned->s3->version_id == "v7");
  CHECK(versioned->url == "s3://b-1/web/k?versionId=v7");
  CHECK(versioned->Identity() == "s3://b-1/web/k?versionId=v7");
}

TEST_CASE("ResolveIncludeTarget fails for non-S3 lines and unusable templates") {
  Result<std::string> plain = ResolveS3IncludeUrl("https://example.com/x", "{role}", WebFacts());
  REQUIRE_FALSE(plain.ok());
  CHECK(plain.error().code() == ErrorCode::kInvalidInput);
  CHECK(plain.error().message().find("is not an S3 location") != std::string::npos);
  // A pre-signed or password-bearing URL is quoted without its secrets.
  Result<std::string> signed_url = ResolveS3IncludeUrl(
      "https://u:pw-secret@files.example.com/x?X-Amz-Signature=sig-secret", "{role}", WebFacts());
  REQUIRE_FALSE(signed_url.ok());
  CHECK(signed_url.error().message() ==
        "\"https://files.example.com/x\" is not an S3 location (#s3-include lines name S3 "
        "objects)");

  Result<std::string> unknown = ResolveS3IncludeUrl("boot-bucket", "{nope}", WebFacts());
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code() == ErrorCode::kInvalidInput);

  // A key given explicitly never touches the template.
  CHECK(ResolveS3IncludeUrl("s3://boot-bucket/k", "{nope}", WebFacts()).ok());
}

TEST_CASE("IncludeIdentity is the same for every spelling of one object version") {
  const std::string id = IncludeIdentity("s3://boot-bucket/a/b");
  CHECK(id == "s3://boot-bucket/a/b");
  CHECK(IncludeIdentity("https://boot-bucket.s3.eu-west-1.amazonaws.com/a/b") == id);
  CHECK(IncludeIdentity("arn:aws:s3:::boot-bucket/a/b") == id);
  CHECK(IncludeIdentity("s3://boot-bucket/a/b?versionId=v1") ==
        "s3://boot-bucket/a/b?versionId=v1");
  CHECK(IncludeIdentity(" https://example.com/x?y=1 ") == "https://example.com/x?y=1");
}

TEST_CASE("IncludeIdentity tells a key holding ?versionId= from a version of the key") {
  const std::string version = IncludeIdentity("s3://boot-bucket/k?versionId=abc");
  CHECK(version == "s3://boot-bucket/k?versionId=abc");
  const std::string key =
      IncludeIdentity("https://boot-bucket.s3.amazonaws.com/k%3FversionId%3Dabc");
  CHECK(key == "s3://boot-bucket/k%3FversionId=abc");
  CHECK(IncludeIdentity("https://boot-bucket.s3.amazonaws.com/k%253FversionId=abc") ==
        "s3://boot-bucket/k%253FversionId=abc");
}

}  // namespace
}  // namespace s3us::expand

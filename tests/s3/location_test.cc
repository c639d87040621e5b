#include "s3/location.h"

#include <catch2/catch.hpp>
#include <string>

#include "s3/host.h"

namespace s3us::s3 {
namespace {

struct Good {
  std::string text;
  std::string bucket;
  std::string key;
  std::string region = "";
  std::string version_id = "";
  std::string partition = "";
};

TEST_CASE("ParseS3Location reads every accepted spelling exactly") {
  const Good cases[] = {
      // s3:// URLs: literal keys.
      {"s3://my-bucket/key.txt", "my-bucket", "key.txt"},
      {"s3://my-bucket/dir/sub/file", "my-bucket", "dir/sub/file"},
      {"S3://my-bucket/k", "my-bucket", "k"},
      {"s3://my-bucket", "my-bucket", ""},
      {"s3://my-bucket/", "my-bucket", ""},
      {"s3://my-bucket//", "my-bucket", "/"},
      {"s3://my-bucket/a//b", "my-bucket", "a//b"},
      {"s3://my-bucket/./x", "my-bucket", "./x"},
      {"s3://my-bucket/../x", "my-bucket", "../x"},
      {"s3://my-bucket/dir/", "my-bucket", "dir/"},
      {"s3://my-bucket/with space.sh", "my-bucket", "with space.sh"},
      {"s3://my-bucket/a+b", "my-bucket", "a+b"},
      {"s3://my-bucket/a%20b", "my-bucket", "a%20b"},
      {"s3://my-bucket/caf\xc3\xa9/\xe6\x97\xa5.sh", "my-bucket", "caf\xc3\xa9/\xe6\x97\xa5.sh"},
      {"s3://my-bucket/q?x=1", "my-bucket", "q?x=1"},
      {"s3://my-bucket/k?versionId=3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY", "my-bucket", "k", "",
       "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"},
      {"s3://my-bucket/k?versionId=null", "my-bucket", "k", "", "null"},
      {"s3://my-bucket/k?versionId=a/b", "my-bucket", "k?versionId=a/b"},
      {"s3://my.dotted.bucket/k", "my.dotted.bucket", "k"},
      {"s3://abc/k", "abc", "k"},
      {"s3://ap-alias-abcdefghijklmnopqrstuvwxyz-s3alias/k",
       "ap-alias-abcdefghijklmnopqrstuvwxyz-s3alias", "k"},
      // Bare buckets.
      {"my-bucket", "my-bucket", ""},
      {"123", "123", ""},
      // Virtual-hosted https.
      {"https://my-bucket.s3.us-west-2.amazonaws.com/key.txt", "my-bucket", "key.txt", "us-west-2",
       "", "aws"},
      {"https://my-bucket.s3.amazonaws.com/dir/key", "my-bucket", "dir/key", "", "", "aws"},
      {"https://my-bucket.s3-us-west-2.amazonaws.com/k", "my-bucket", "k", "us-west-2", "", "aws"},
      {"https://my-bucket.s3.dualstack.eu-west-1.amazonaws.com/k", "my-bucket", "k", "eu-west-1",
       "", "aws"},
      {"https://my-bucket.s3-fips.us-east-1.amazonaws.com/k", "my-bucket", "k", "us-east-1", "",
       "aws"},
      {"https://my-bucket.s3-fips.dualstack.us-east-2.amazonaws.com/k", "my-bucket", "k",
       "us-east-2", "", "aws"},
      {"https://my-bucket.s3-external-1.amazonaws.com/k", "my-bucket", "k", "us-east-1", "", "aws"},
      {"https://my-bucket.s3-accelerate.amazonaws.com/k", "my-bucket", "k", "", "", "aws"},
      {"https://my-bucket.s3.us-gov-west-1.amazonaws.com/k", "my-bucket", "k", "us-gov-west-1", "",
       "aws-us-gov"},
      {"https://my-bucket.s3.cn-north-1.amazonaws.com.cn/k", "my-bucket", "k", "cn-north-1", "",
       "aws-cn"},
      {"https://my-bucket.s3.amazonaws.com.cn/k", "my-bucket", "k", "", "", "aws-cn"},
      {"https://my-bucket.s3.us-iso-east-1.c2s.ic.gov/k", "my-bucket", "k", "us-iso-east-1", "",
       "aws-iso"},
      {"HTTPS://My-Bucket.S3.US-WEST-2.AMAZONAWS.COM/Key", "my-bucket", "Key", "us-west-2", "",
       "aws"},
      {"https://my-bucket.s3.amazonaws.com:443/k", "my-bucket", "k", "", "", "aws"},
      {"http://my-bucket.s3.amazonaws.com/k", "my-bucket", "k", "", "", "aws"},
      {"https://s3.logs.s3.us-west-2.amazonaws.com/k", "s3.logs", "k", "us-west-2", "", "aws"},
      {"https://s3-logs-2.s3.amazonaws.com/k", "s3-logs-2", "k", "", "", "aws"},
      {"https://my.dotted.bucket.s3.us-west-2.amazonaws.com/k", "my.dotted.bucket", "k",
       "us-west-2", "", "aws"},
      {"https://my-bucket.s3.amazonaws.com", "my-bucket", "", "", "", "aws"},
      {"https://my-bucket.s3.amazonaws.com/", "my-bucket", "", "", "", "aws"},
      // Percent-decoding happens once, in https paths only; '+' stays.
      {"https://my-bucket.s3.amazonaws.com/a%20b", "my-bucket", "a b", "", "", "aws"},
      {"https://my-bucket.s3.amazonaws.com/a+b", "my-bucket", "a+b", "", "", "aws"},
      {"https://my-bucket.s3.amazonaws.com/a%2Bb", "my-bucket", "a+b", "", "", "aws"},
      {"https://my-bucket.s3.amazonaws.com/a%252Fb", "my-bucket", "a%2Fb", "", "", "aws"},
      {"https://my-bucket.s3.amazonaws.com/a%2Fb", "my-bucket", "a/b", "", "", "aws"},
      {"https://my-bucket.s3.amazonaws.com/caf%C3%A9", "my-bucket", "caf\xc3\xa9", "", "", "aws"},
      {"https://my-bucket.s3.amazonaws.com//a/./../b", "my-bucket", "/a/./../b", "", "", "aws"},
      {"https://my-bucket.s3.amazonaws.com/k#frag", "my-bucket", "k", "", "", "aws"},
      {"https://my-bucket.s3.amazonaws.com/k?versionId=abc%2Bdef", "my-bucket", "k", "", "abc+def",
       "aws"},
      {"https://my-bucket.s3.amazonaws.com/k?X-Amz-Expires=60&versionId=v1", "my-bucket", "k", "",
       "v1", "aws"},
      // Path-style https.
      {"https://s3.us-west-2.amazonaws.com/my-bucket/key.txt", "my-bucket", "key.txt", "us-west-2",
       "", "aws"},
      {"https://s3.amazonaws.com/my-bucket/a/b", "my-bucket", "a/b", "", "", "aws"},
      {"https://s3-us-west-2.amazonaws.com/my-bucket/k", "my-bucket", "k", "us-west-2", "", "aws"},
      {"https://s3.dualstack.ap-south-1.amazonaws.com/my-bucket/k", "my-bucket", "k", "ap-south-1",
       "", "aws"},
      {"https://s3.cn-northwest-1.amazonaws.com.cn/my-bucket/k", "my-bucket", "k", "cn-northwest-1",
       "", "aws-cn"},
      {"https://s3.amazonaws.com/my.dotted.bucket/k", "my.dotted.bucket", "k", "", "", "aws"},
      {"https://s3.amazonaws.com/my-bucket", "my-bucket", "", "", "", "aws"},
      {"https://s3.amazonaws.com/my-bucket/", "my-bucket", "", "", "", "aws"},
      {"https://s3.amazonaws.com/my-bucket/a%20b?versionId=v2", "my-bucket", "a b", "", "v2",
       "aws"},
      // Bucket ARNs: literal keys.
      {"arn:aws:s3:::my-bucket/key.txt", "my-bucket", "key.txt", "", "", "aws"},
      {"arn:aws:s3:::my-bucket", "my-bucket", "", "", "", "aws"},
      {"arn:aws:s3:::my-bucket/", "my-bucket", "", "", "", "aws"},
      {"arn:aws:s3:::my-bucket/a:b/c%20d", "my-bucket", "a:b/c%20d", "", "", "aws"},
      {"arn:aws-cn:s3:::my-bucket/k", "my-bucket", "k", "", "", "aws-cn"},
      {"arn:aws-us-gov:s3:::my-bucket/k", "my-bucket", "k", "", "", "aws-us-gov"},
      {"arn:aws:s3:::my-bucket/k?versionId=v1.a_b-c", "my-bucket", "k", "", "v1.a_b-c", "aws"},
      {"arn:aws:s3:::my-bucket/k?versionId=a/b", "my-bucket", "k?versionId=a/b", "", "", "aws"},
  };
  for (const Good& c : cases) {
    INFO(c.text);
    Result<S3Location> loc = ParseS3Location(c.text);
    REQUIRE(loc.ok());
    CHECK(loc->bucket == c.bucket);
    CHECK(loc->key == c.key);
    CHECK(loc->has_key() == !c.key.empty());
    CHECK(loc->region == c.region);
    CHECK(loc->version_id == c.version_id);
    CHECK(loc->partition == c.partition);
    CHECK(loc->access_point_arn.empty());
    CHECK(LooksLikeS3(c.text));
  }
}

TEST_CASE("ParseS3Location keeps the region and account of access points") {
  struct Ap {
    std::string text, name, key, region, account, arn, partition;
  };
  const Ap cases[] = {
      {"arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap/object/dir/key.txt", "my-ap",
       "dir/key.txt", "us-west-2", "123456789012",
       "arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap", "aws"},
      {"arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap", "my-ap", "", "us-west-2",
       "123456789012", "arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap", "aws"},
      {"arn:aws:s3:us-west-2:123456789012:accesspoint:my-ap", "my-ap", "", "us-west-2",
       "123456789012", "arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap", "aws"},
      {"arn:aws-cn:s3:cn-north-1:123456789012:accesspoint/ap1/object/a//b", "ap1", "a//b",
       "cn-north-1", "123456789012", "arn:aws-cn:s3:cn-north-1:123456789012:accesspoint/ap1",
       "aws-cn"},
      {"https://my-ap-123456789012.s3-accesspoint.us-west-2.amazonaws.com/a%20b", "my-ap", "a b",
       "us-west-2", "123456789012", "arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap", "aws"},
  };
  for (const Ap& c : cases) {
    INFO(c.text);
    Result<S3Location> loc = ParseS3Location(c.text);
    REQUIRE(loc.ok());
    CHECK(loc->bucket == c.name);
    CHECK(loc->key == c.key);
    CHECK(loc->region == c.region);
    CHECK(loc->account_id == c.account);
    CHECK(loc->access_point_arn == c.arn);
    CHECK(loc->partition == c.partition);
    CHECK(LooksLikeS3(c.text));
  }
}

TEST_CASE("ParseS3Location notes fips and dualstack hosts") {
  Result<S3Location> loc =
      ParseS3Location("https://b12.s3-fips.dualstack.us-east-1.amazonaws.com/k");
  REQUIRE(loc.ok());
  CHECK(loc->fips);
  CHECK(loc->dualstack);
  loc = ParseS3Location("https://b12.s3.us-east-1.amazonaws.com/k");
  REQUIRE(loc.ok());
  CHECK_FALSE(loc->fips);
  CHECK_FALSE(loc->dualstack);
}

struct Bad {
  std::string text;
  ErrorCode code;
  std::string fragment;
};

TEST_CASE("ParseS3Location rejects malformed locations with a message naming the cause") {
  const Bad cases[] = {
      {"", ErrorCode::kInvalidInput, "empty"},
      {"s3://", ErrorCode::kInvalidInput, "names no bucket"},
      {"s3:///key", ErrorCode::kInvalidInput, "names no bucket"},
      {"s3://my bucket/k", ErrorCode::kInvalidInput,
       "invalid bucket name 'my bucket': only a-z, 0-9, '.' and '-' are allowed (also A-Z and "
       "'_' in a name from before March 2018)"},
      {"My+Bucket", ErrorCode::kInvalidInput, "invalid bucket name 'My+Bucket'"},
      {"s3://ab/k", ErrorCode::kInvalidInput,
       "invalid bucket name 'ab': must be 3-63 characters long"},
      {"s3://" + std::string(256, 'a') + "/k", ErrorCode::kInvalidInput,
       "must be 3-63 characters long (up to 255 in a name from before March 2018)"},
      {"s3://b\xc3\xa9ucket/k", ErrorCode::kInvalidInput, "only a-z"},
      {"s3://my-bucket/" + std::string(1025, 'k'), ErrorCode::kInvalidInput, "1024 bytes"},
      {"s3://my-bucket/a\nb", ErrorCode::kInvalidInput, "control character"},
      {"s3://my-bucket/a\tb", ErrorCode::kInvalidInput, "control character"},
      {"my-bucket/key", ErrorCode::kInvalidInput, "a bare name must be a bucket"},
      {"ftp://my-bucket/key", ErrorCode::kInvalidInput, "not an S3 location"},
      {"https://example.com/my-bucket/key", ErrorCode::kInvalidInput, "not an S3 URL"},
      {"https://my-bucket.example.amazonaws.com/k", ErrorCode::kInvalidInput, "not an S3 URL"},
      {"https://my-bucket.s3.us-west-2.extra.amazonaws.com/k", ErrorCode::kInvalidInput,
       "unexpected host"},
      {"https://my-bucket.s3.nowhere.amazonaws.com/k", ErrorCode::kInvalidInput, "unexpected host"},
      {"https://s3.amazonaws.com/", ErrorCode::kInvalidInput, "names no bucket"},
      {"https://s3.amazonaws.com", ErrorCode::kInvalidInput, "names no bucket"},
      {"https://my-bucket.s3.amazonaws.com/a%2", ErrorCode::kInvalidInput, "percent-escape"},
      {"https://my-bucket.s3.amazonaws.com/a%zz", ErrorCode::kInvalidInput, "percent-escape"},
      {"https://my-bucket.s3.amazonaws.com/k?versionId=", ErrorCode::kInvalidInput,
       "empty versionId"},
      {"https://my-bucket.s3.amazonaws.com/k?versionId=a&versionId=b", ErrorCode::kInvalidInput,
       "more than one versionId"},
      {"https://user:pw@my-bucket.s3.amazonaws.com/k", ErrorCode::kInvalidInput, "user names"},
      {"https://my-bucket.s3.amazonaws.com:x/k", ErrorCode::kInvalidInput, "invalid port"},
      {"https://My_Bucket.s3.amazonaws.com/k", ErrorCode::kInvalidInput,
       "invalid bucket name 'my_bucket'"},
      {"https://my-bucket.s3-website-us-east-1.amazonaws.com/k", ErrorCode::kUnsupported,
       "s3-website-us-east-1 endpoints are not supported"},
      {"https://my-bucket.s3-website.eu-west-1.amazonaws.com/k", ErrorCode::kUnsupported,
       "not supported"},
      {"https://s3-accesspoint.us-west-2.amazonaws.com/k", ErrorCode::kInvalidInput,
       "names no access point"},
      {"https://my-ap.s3-accesspoint.us-west-2.amazonaws.com/k", ErrorCode::kInvalidInput,
       "NAME-ACCOUNT"},
      {"arn:aws:s3", ErrorCode::kInvalidInput, "not an ARN"},
      {"arn:aws:ec2:::my-bucket/k", ErrorCode::kInvalidInput, "not an S3 ARN"},
      {"arn:azure:s3:::my-bucket/k", ErrorCode::kInvalidInput, "unknown partition 'azure'"},
      {"arn:aws:s3:us-west-2::my-bucket/k", ErrorCode::kInvalidInput, "no region or account"},
      {"arn:aws:s3:::/k", ErrorCode::kInvalidInput, "names no bucket"},
      {"arn:aws:s3:::Bad:Bucket/k", ErrorCode::kInvalidInput, "invalid bucket name"},
      {"arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap/object/k", ErrorCode::kUnsupported,
       "multi-region access points"},
      {"arn:aws:s3:us-west-2:1234:accesspoint/my-ap/object/k", ErrorCode::kInvalidInput,
       "account id"},
      {"arn:aws:s3:west:123456789012:accesspoint/my-ap/object/k", ErrorCode::kInvalidInput,
       "invalid region"},
      {"arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap/k", ErrorCode::kInvalidInput,
       "accesspoint/NAME/object/KEY"},
      {"arn:aws:s3:us-west-2:123456789012:accesspoint/My_AP", ErrorCode::kInvalidInput,
       "invalid access point name"},
      {"arn:aws:s3:us-west-2:123456789012:accesspoint/", ErrorCode::kInvalidInput,
       "names no access point"},
      {"arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-01/accesspoint/ap",
       ErrorCode::kUnsupported, "s3-outposts"},
      {"arn:aws:s3-object-lambda:us-west-2:123456789012:accesspoint/ol", ErrorCode::kUnsupported,
       "s3-object-lambda"},
      {"s3://my-base--usw2-az1--x-s3/k", ErrorCode::kUnsupported, "directory bucket"},
  };
  for (const Bad& c : cases) {
    INFO(c.text);
    Result<S3Location> loc = ParseS3Location(c.text);
    REQUIRE_FALSE(loc.ok());
    CHECK(loc.error().code() == c.code);
    CHECK_THAT(loc.error().ToString(), Catch::Contains(c.fragment));
  }
}

TEST_CASE("ParseS3Location never puts a URL's query string in a message") {
  Result<S3Location> loc = ParseS3Location(
      "https://My_Bucket.s3.amazonaws.com/k?X-Amz-Signature=deadbeefcafe&versionId=v");
  REQUIRE_FALSE(loc.ok());
  CHECK_THAT(loc.error().ToString(), !Catch::Contains("deadbeefcafe"));
  loc = ParseS3Location("https://example.com/k?X-Amz-Signature=deadbeefcafe");
  REQUIRE_FALSE(loc.ok());
  CHECK_THAT(loc.error().ToString(), !Catch::Contains("deadbeefcafe"));
}

TEST_CASE("LooksLikeS3 tells S3 locations from other include lines") {
  CHECK(LooksLikeS3("s3://b/k"));
  CHECK(LooksLikeS3("arn:aws:s3:::bucket/k"));
  CHECK(LooksLikeS3("arn:aws:s3-outposts:us-west-2:123456789012:outpost/x"));
  CHECK(LooksLikeS3("https://bucket.s3.amazonaws.com/k"));
  CHECK(LooksLikeS3("https://bucket.s3-website-us-east-1.amazonaws.com/k"));
  CHECK(LooksLikeS3("my-bucket"));
  CHECK_FALSE(LooksLikeS3("https://example.com/user-data.sh"));
  CHECK_FALSE(LooksLikeS3("http://169.254.169.254/latest/user-data"));
  CHECK_FALSE(LooksLikeS3("arn:aws:ec2:us-west-2:123456789012:instance/i-1"));
  CHECK_FALSE(LooksLikeS3("/etc/passwd"));
  CHECK(LooksLikeS3("My_Bucket"));
  CHECK_FALSE(LooksLikeS3("My Bucket"));
  CHECK_FALSE(LooksLikeS3(""));
  CHECK_FALSE(LooksLikeS3("https://abc.execute-api.us-east-1.amazonaws.com/prod/ud"));
}

TEST_CASE("An S3 URL with a bad path, query or port is an S3 location in error, never plain") {
  // These were fetched unsigned, as plain URLs, and failed with a bare 403.
  for (const char* url :
       {"https://bkt.s3.us-east-1.amazonaws.com/a.sh?versionId=",
        "https://bkt.s3.us-east-1.amazonaws.com/a.sh?versionId=a&versionId=b",
        "https://My_Bkt.s3.amazonaws.com/a.sh", "https://bkt.s3.amazonaws.com/a%zz",
        "https://bkt.s3.amazonaws.com:8443/a.sh"}) {
    INFO(url);
    CHECK(LooksLikeS3(url));
    Result<S3Location> loc = ParseS3Location(url);
    REQUIRE_FALSE(loc.ok());
    CHECK(loc.error().code() == ErrorCode::kInvalidInput);
  }
  CHECK(ParseS3Location("https://bkt.s3.amazonaws.com:8443/a.sh").error().message() ==
        "'https://bkt.s3.amazonaws.com:8443/a.sh' names port 8443: S3 endpoints take the default "
        "port (another endpoint: --endpoint-url)");
  CHECK(ParseS3Location("https://bkt.s3.amazonaws.com:443/a.sh").ok());
  // A full DNS name (a trailing dot) is the same host: an S3 location, not a plain URL.
  CHECK(LooksLikeS3("https://bkt.s3.us-east-1.amazonaws.com./a.sh"));
  Result<S3Location> dotted = ParseS3Location("https://bkt.s3.us-east-1.amazonaws.com./a.sh");
  REQUIRE(dotted.ok());
  CHECK((dotted->bucket == "bkt" && dotted->key == "a.sh" && dotted->region == "us-east-1"));
}

TEST_CASE("S3Location::ToS3Url names the object without version or query") {
  CHECK(ParseS3Location("https://s3.amazonaws.com/b12/a%20b?versionId=v")->ToS3Url() ==
        "s3://b12/a b");
  CHECK(ParseS3Location("s3://b12")->ToS3Url() == "s3://b12/");
  CHECK(ParseS3Location("arn:aws:s3:us-west-2:123456789012:accesspoint/ap1/object/k")->ToS3Url() ==
        "arn:aws:s3:us-west-2:123456789012:accesspoint/ap1/object/k");
}

TEST_CASE("ValidateBucketName accepts legal names at the length limits") {
  CHECK(ValidateBucketName("abc").ok());
  CHECK(ValidateBucketName(std::string(63, 'a')).ok());
  CHECK(ValidateBucketName(std::string(255, 'a')).ok());
  CHECK_FALSE(ValidateBucketName(std::string(256, 'a')).ok());
  CHECK_FALSE(ValidateBucketName("ab").ok());
  CHECK(ValidateBucketName("a.b-c.1").ok());
  CHECK(ValidateBucketName("1.2.3").ok());
}

TEST_CASE("ParseS3Location takes the bucket names of before 2018 that botocore takes") {
  // us-east-1 allowed upper case, '_' and up to 255 characters until March 2018; botocore
  // checks ^[a-zA-Z0-9.\-_]{1,255}$ only and addresses the rest path-style.
  const std::string long_name = "Boot_" + std::string(250, 'b');
  for (const std::string& name :
       {std::string("My_Boot_Bucket"), std::string("boot_bucket"), std::string("BootBucket"),
        std::string(64, 'a'), long_name, std::string("-bucket"), std::string("bucket-"),
        std::string("my..bucket"), std::string("192.168.5.4")}) {
    INFO(name);
    CHECK(ValidateBucketName(name).ok());
    CHECK(IsLegacyBucketName(name));
    Result<S3Location> loc = ParseS3Location("s3://" + name + "/web-role/user-script");
    REQUIRE(loc.ok());
    CHECK(loc->bucket == name);
    CHECK(loc->key == "web-role/user-script");
    CHECK(loc->region.empty());
    Result<S3Location> bare = ParseS3Location(name);
    REQUIRE(bare.ok());
    CHECK(bare->bucket == name);
    CHECK(LooksLikeS3(name));
  }
  for (const char* current : {"my-bucket", "a.b-c.1", "abc"}) {
    CHECK_FALSE(IsLegacyBucketName(current));
  }
  CHECK_FALSE(IsLegacyBucketName("ab"));
  CHECK_FALSE(IsLegacyBucketName("My Bucket"));

  Result<S3Location> arn = ParseS3Location("arn:aws:s3:::Legacy_Bucket/k");
  REQUIRE(arn.ok());
  CHECK(arn->bucket == "Legacy_Bucket");
  Result<S3Location> path_style = ParseS3Location("https://s3.amazonaws.com/My_Bucket/a%20b");
  REQUIRE(path_style.ok());
  CHECK(path_style->bucket == "My_Bucket");
  CHECK(path_style->key == "a b");
  CHECK(path_style->region.empty());  // the global endpoint: the client picks us-east-1
  // A host cannot carry one: DNS ignores case, and S3 serves these names path-style only.
  Result<S3Location> hosted = ParseS3Location("https://boot_bucket.s3.amazonaws.com/k");
  REQUIRE_FALSE(hosted.ok());
  CHECK(hosted.error().ToString() ==
        "https://boot_bucket.s3.amazonaws.com/k: invalid bucket name 'boot_bucket': only a-z, 0-9, "
        "'.' and '-' are allowed");
}

TEST_CASE("ParseS3Host splits bucket, service and region labels") {
  Result<S3Host> h = ParseS3Host("s3.backup.s3-fips.dualstack.us-gov-west-1.amazonaws.com");
  REQUIRE(h.ok());
  CHECK(h->bucket_label == "s3.backup");
  CHECK(h->region == "us-gov-west-1");
  CHECK(h->partition == "aws-us-gov");
  CHECK(h->fips);
  CHECK(h->dualstack);
  CHECK_FALSE(h->access_point);
  h = ParseS3Host("s3.amazonaws.com");
  REQUIRE(h.ok());
  CHECK(h->bucket_label.empty());
  CHECK(h->region.empty());
  CHECK(h->partition == "aws");
  CHECK(ParseS3Host("ec2.us-east-1.amazonaws.com").error().message() ==
        "not an S3 host 'ec2.us-east-1.amazonaws.com'");
  CHECK(ParseS3Host("b.s3-website-us-east-1.amazonaws.com").error().code() ==
        ErrorCode::kUnsupported);
}

TEST_CASE("ParseS3Location reads a version at the end of an access point ARN") {
  Result<S3Location> loc = ParseS3Location(
      "arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap/object/dir/k?versionId=v2");
  REQUIRE(loc.ok());
  CHECK(loc->key == "dir/k");
  CHECK(loc->version_id == "v2");
  CHECK(loc->access_point_arn == "arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap");
}

}  // namespace
}  // namespace s3us::s3

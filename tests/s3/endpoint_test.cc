#include "s3/endpoint.h"

#include <catch2/catch.hpp>

namespace s3us::s3 {
namespace {

S3Location Loc(std::string bucket, std::string key, std::string version = "") {
  S3Location l;
  l.bucket = std::move(bucket);
  l.key = std::move(key);
  l.version_id = std::move(version);
  return l;
}

S3EndpointOptions Opts(std::string override_url = "", std::string domain = "", bool fips = false,
                       bool dualstack = false) {
  S3EndpointOptions o;
  o.endpoint_override = std::move(override_url);
  o.domain = std::move(domain);
  o.use_fips = fips;
  o.use_dualstack = dualstack;
  return o;
}

TEST_CASE("ResolveS3Endpoint builds the URLs of the botocore oracle cases") {
  struct Case {
    S3Location location;
    const char* region;
    S3EndpointOptions options;
    const char* url;
    const char* host;
  } cases[] = {
      {Loc("example-bucket", "MyRole/user-script"), "eu-west-1", Opts(),
       "https://example-bucket.s3.eu-west-1.amazonaws.com/MyRole/user-script",
       "example-bucket.s3.eu-west-1.amazonaws.com"},
      {Loc("example-bucket", "scripts/my file+v1 (final)$&=,;:@!'*.sh"), "us-west-2", Opts(),
       "https://example-bucket.s3.us-west-2.amazonaws.com/scripts/"
       "my%20file%2Bv1%20%28final%29%24%26%3D%2C%3B%3A%40%21%27%2A.sh",
       "example-bucket.s3.us-west-2.amazonaws.com"},
      {Loc("example-bucket", "100%/a%2Fb"), "us-west-2", Opts(),
       "https://example-bucket.s3.us-west-2.amazonaws.com/100%25/a%252Fb",
       "example-bucket.s3.us-west-2.amazonaws.com"},
      {Loc("example-bucket", "R\xC3\xB4le/\xE3\x83\xA6\xE3\x83\xBC\xE3\x82\xB6\xE3\x83\xBC.sh"),
       "us-west-2", Opts(),
       "https://example-bucket.s3.us-west-2.amazonaws.com/R%C3%B4le/"
       "%E3%83%A6%E3%83%BC%E3%82%B6%E3%83%BC.sh",
       "example-bucket.s3.us-west-2.amazonaws.com"},
      {Loc("example-bucket", "a//b/./c/../user-script"), "us-west-2", Opts(),
       "https://example-bucket.s3.us-west-2.amazonaws.com/a//b/./c/../user-script",
       "example-bucket.s3.us-west-2.amazonaws.com"},
      {Loc("my.dotted.bucket", "MyRole/user-script"), "us-west-2", Opts(),
       "https://s3.us-west-2.amazonaws.com/my.dotted.bucket/MyRole/user-script",
       "s3.us-west-2.amazonaws.com"},
      {Loc("example-bucket", "MyRole/user-script", "3HL4kqtJlcpXroDTDmJ+b6K1J2RxF.pL"), "us-east-1",
       Opts(),
       "https://example-bucket.s3.us-east-1.amazonaws.com/MyRole/"
       "user-script?versionId=3HL4kqtJlcpXroDTDmJ%2Bb6K1J2RxF.pL",
       "example-bucket.s3.us-east-1.amazonaws.com"},
      {Loc("example-bucket", "MyRole/user-script"), "us-east-1", Opts("http://127.0.0.1:9000"),
       "http://127.0.0.1:9000/example-bucket/MyRole/user-script", "127.0.0.1:9000"},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.url) {
      auto ep = ResolveS3Endpoint(c.location, c.region, c.options);
      REQUIRE(ep.ok());
      CHECK(ep->url == c.url);
      CHECK(ep->host == c.host);
      CHECK(ep->signing_region == c.region);
    }
  }
}

TEST_CASE("ResolveS3Endpoint honours domain, FIPS, dual-stack and odd bucket names") {
  S3Location l = Loc("bucket", "k");
  CHECK(ResolveS3Endpoint(l, "cn-north-1", {})->host == "bucket.s3.cn-north-1.amazonaws.com.cn");
  CHECK(ResolveS3Endpoint(l, "eu-west-1", Opts("", "example.org"))->host ==
        "bucket.s3.eu-west-1.example.org");
  CHECK(ResolveS3Endpoint(l, "us-east-1", Opts("", "", true))->host ==
        "bucket.s3-fips.us-east-1.amazonaws.com");
  CHECK(ResolveS3Endpoint(l, "us-east-1", Opts("", "", false, true))->host ==
        "bucket.s3.dualstack.us-east-1.amazonaws.com");
  auto upper = ResolveS3Endpoint(Loc("Legacy_Bucket", "k"), "us-east-1", {});
  CHECK(upper->path_style);
  CHECK(upper->url == "https://s3.us-east-1.amazonaws.com/Legacy_Bucket/k");
  auto with_base = ResolveS3Endpoint(l, "us-east-1", Opts("https://Store.Example:443/base/"));
  CHECK(with_base->url == "https://store.example:443/base/bucket/k");
  CHECK(with_base->host == "store.example");
  CHECK(ResolveS3Endpoint(l, "us-east-1", Opts("ftp://x")).error().code() ==
        ErrorCode::kInvalidInput);
}

TEST_CASE("ResolveS3Endpoint sends access point ARNs to the access point host") {
  S3Location l = Loc("my-ap", "dir/file");
  l.access_point_arn = "arn:aws:s3:eu-central-1:123456789012:accesspoint/my-ap";
  auto ep = ResolveS3Endpoint(l, "us-east-1", {});
  REQUIRE(ep.ok());
  CHECK(ep->url == "https://my-ap-123456789012.s3-accesspoint.eu-central-1.amazonaws.com/dir/file");
  CHECK(ep->signing_region == "eu-central-1");
  l.access_point_arn = "arn:aws:s3:eu-central-1:123456789012:bucket/x";
  CHECK(ResolveS3Endpoint(l, "us-east-1", {}).error().code() == ErrorCode::kInvalidInput);
}

TEST_CASE("ResolveS3Endpoint sends an access point to its own label in front of an override") {
  // Path-style, its name alone named a bucket of that name, which anyone may own.
  S3Location l = Loc("boot-ap", "boot.sh");
  l.access_point_arn = "arn:aws:s3:us-west-2:123456789012:accesspoint/boot-ap";
  auto ep = ResolveS3Endpoint(l, "us-east-1", Opts("https://s3.us-west-2.amazonaws.com/base/"));
  REQUIRE(ep.ok());
  CHECK(ep->url == "https://boot-ap-123456789012.s3.us-west-2.amazonaws.com/base/boot.sh");
  CHECK(ep->host == "boot-ap-123456789012.s3.us-west-2.amazonaws.com");
  CHECK(ep->signing_region == "us-west-2");
  CHECK_FALSE(ep->path_style);
  auto local = ResolveS3Endpoint(l, "us-east-1", Opts("http://127.0.0.1:9000"));
  CHECK(local->url == "http://boot-ap-123456789012.127.0.0.1:9000/boot.sh");
}

TEST_CASE("ResolveS3Endpoint takes the domain of the region it signs for") {
  S3Location l = Loc("bucket", "k");
  S3EndpointOptions china = Opts("", "amazonaws.com.cn");
  china.domain_partition = "aws-cn";
  CHECK(ResolveS3Endpoint(l, "cn-north-1", china)->host == "bucket.s3.cn-north-1.amazonaws.com.cn");
  // An instance in China fetching a commercial region's object, and the reverse.
  CHECK(ResolveS3Endpoint(l, "us-east-1", china)->host == "bucket.s3.us-east-1.amazonaws.com");
  S3EndpointOptions commercial = Opts("", "amazonaws.com");
  commercial.domain_partition = "aws";
  CHECK(ResolveS3Endpoint(l, "cn-north-1", commercial)->host ==
        "bucket.s3.cn-north-1.amazonaws.com.cn");
  // The sovereign and ISO partitions, as IMDS names them on their instances.
  S3EndpointOptions isoe = Opts("", "cloud.adc-e.uk");
  isoe.domain_partition = "aws-iso-e";
  CHECK(ResolveS3Endpoint(l, "eu-isoe-west-1", isoe)->host ==
        "bucket.s3.eu-isoe-west-1.cloud.adc-e.uk");
  S3EndpointOptions eusc = Opts("", "amazonaws.eu");
  eusc.domain_partition = "aws-eusc";
  CHECK(ResolveS3Endpoint(l, "eusc-de-east-1", eusc)->host ==
        "bucket.s3.eusc-de-east-1.amazonaws.eu");
  CHECK(ResolveS3Endpoint(l, "us-isof-south-1", {})->host ==
        "bucket.s3.us-isof-south-1.csp.hci.ic.gov");
  // A partition this build does not know: the instance's domain serves every region.
  S3EndpointOptions unknown = Opts("", "example.cloud");
  unknown.domain_partition = "aws-new";
  CHECK(ResolveS3Endpoint(l, "xx-new-east-1", unknown)->host ==
        "bucket.s3.xx-new-east-1.example.cloud");
}

TEST_CASE("ResolveS3Endpoint keeps the FIPS or dual-stack host an https location names") {
  S3Location l = Loc("bucket", "k");
  l.fips = true;
  CHECK(ResolveS3Endpoint(l, "us-gov-west-1", {})->host ==
        "bucket.s3-fips.us-gov-west-1.amazonaws.com");
  l.fips = false;
  l.dualstack = true;
  CHECK(ResolveS3Endpoint(l, "us-east-1", {})->host ==
        "bucket.s3.dualstack.us-east-1.amazonaws.com");
}

TEST_CASE("ResolveS3Endpoint addresses a location only in the partition it names") {
  // arn:aws-cn:s3:::bucket/k signed for us-east-1 would fetch a commercial bucket of that name.
  S3Location l = Loc("bucket", "k");
  l.partition = "aws-cn";
  Result<S3Endpoint> other = ResolveS3Endpoint(l, "us-east-1", {});
  REQUIRE_FALSE(other.ok());
  CHECK(other.error().code() == ErrorCode::kInvalidInput);
  CHECK(other.error().message() ==
        "names partition aws-cn but would be signed for region us-east-1 (partition aws); give a "
        "region of aws-cn (--region, AWS_REGION)");
  CHECK(ResolveS3Endpoint(l, "cn-north-1", {})->host == "bucket.s3.cn-north-1.amazonaws.com.cn");
  l.partition = "aws-us-gov";
  CHECK_FALSE(ResolveS3Endpoint(l, "us-east-1", {}).ok());
  CHECK(ResolveS3Endpoint(l, "us-gov-west-1", {}).ok());
  // An access point ARN is signed for its own region, which must be in its partition too.
  S3Location ap = Loc("my-ap", "k");
  ap.partition = "aws-cn";
  ap.access_point_arn = "arn:aws-cn:s3:us-west-2:123456789012:accesspoint/my-ap";
  CHECK_FALSE(ResolveS3Endpoint(ap, "cn-north-1", {}).ok());
  // An endpoint override is the user's own choice of host.
  CHECK(ResolveS3Endpoint(l, "us-east-1", Opts("http://127.0.0.1:9000")).ok());
}

TEST_CASE("IsVirtualHostableBucket and EncodeS3Key follow S3's rules") {
  CHECK(IsVirtualHostableBucket("my-bucket-1"));
  CHECK_FALSE(IsVirtualHostableBucket("my.bucket"));
  CHECK_FALSE(IsVirtualHostableBucket("-bucket"));
  CHECK_FALSE(IsVirtualHostableBucket("ab"));
  CHECK(EncodeS3Key("a b/c~d_e.f-g") == "a%20b/c~d_e.f-g");
  CHECK(EncodeS3Key("x+y=z&?#") == "x%2By%3Dz%26%3F%23");
}

TEST_CASE("RegionFromS3Host reads every S3 host form") {
  CHECK(RegionFromS3Host("bucket.s3.eu-west-1.amazonaws.com") == "eu-west-1");
  CHECK(RegionFromS3Host("bucket.s3-eu-west-1.amazonaws.com") == "eu-west-1");
  CHECK(RegionFromS3Host("s3.dualstack.ap-south-1.amazonaws.com") == "ap-south-1");
  CHECK(RegionFromS3Host("my.s3.bucket.s3.us-west-2.amazonaws.com") == "us-west-2");
  CHECK(RegionFromS3Host("bucket.s3.amazonaws.com") == "us-east-1");
  CHECK(RegionFromS3Host("bucket.s3-external-1.amazonaws.com") == "us-east-1");
  CHECK(RegionFromS3Host("bucket.s3.cn-north-1.amazonaws.com.cn") == "cn-north-1");
  CHECK(RegionFromS3Host("example.com").empty());
}

}  // namespace
}  // namespace s3us::s3

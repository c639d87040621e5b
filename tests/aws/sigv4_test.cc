#include "aws/sigv4.h"

#include <catch2/catch.hpp>
#include <thread>

#include "aws/aws_time.h"

namespace s3us::aws {
namespace {

Credentials TestCredentials() {
  Credentials c;
  c.access_key_id = "AKIDEXAMPLE";
  c.secret_access_key = Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
  return c;
}

SigningRequest Get(std::string path) {
  SigningRequest r;
  r.path = std::move(path);
  r.headers = {{"Host", "b.s3.us-east-1.amazonaws.com"}};
  return r;
}

SigningOptions S3Options() {
  SigningOptions o;
  o.region = "us-east-1";
  o.time = *ParseIso8601("2015-08-30T12:36:00Z");
  return o;
}

TEST_CASE("UriEncode follows S3's UriEncode rule") {
  CHECK(UriEncode("AZaz09-._~", false) == "AZaz09-._~");
  CHECK(UriEncode("a b/c", true) == "a%20b/c");
  CHECK(UriEncode("a b/c", false) == "a%20b%2Fc");
  CHECK(UriEncode("+=&%", false) == "%2B%3D%26%25");
  CHECK(UriEncode("\xC3\xBC", true) == "%C3%BC");
}

TEST_CASE("S3 signing keeps the path exactly as sent") {
  SignedRequest s = SigV4Signer().Sign(Get("/a//b/./c/../%2525"), TestCredentials(), S3Options());
  CHECK(s.canonical_request.starts_with("GET\n/a//b/./c/../%2525\n\n"));
  CHECK(CanonicalUri("", false, false) == "/");
  CHECK(CanonicalUri("/a//b/./c/../d/", false, true) == "/a/b/d/");
  CHECK(CanonicalUri("/a b", true, false) == "/a%20b");
}

TEST_CASE("S3 signing adds date and payload hash, and signs the token") {
  Credentials c = TestCredentials();
  c.session_token = Secret("token-value-0123456789");
  SigningOptions o = S3Options();
  o.payload_hash = std::string(kUnsignedPayload);
  SigningRequest r = Get("/k");
  r.headers.emplace_back("User-Agent", "s3-user-script/0.1");
  SignedRequest s = SigV4Signer().Sign(r, c, o);
  CHECK(s.signed_headers == "host;x-amz-content-sha256;x-amz-date;x-amz-security-token");
  CHECK(s.canonical_request.ends_with("\nUNSIGNED-PAYLOAD"));
  CHECK(s.headers.back().first == "Authorization");
  CHECK(s.authorization.starts_with(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request, "
      "SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature="));
}

TEST_CASE("CanonicalQuery sorts and encodes parameters once") {
  CHECK(CanonicalQuery("versionId=a%2Bb&lifecycle") == "lifecycle=&versionId=a%2Bb");
  CHECK(CanonicalQuery("b=2&a=2&a=1&&") == "a=1&a=2&b=2");
  CHECK(CanonicalQuery("k=a b/c") == "k=a%20b%2Fc");
}

TEST_CASE("Presign puts the credential, expiry and token into the signed query") {
  Credentials c = TestCredentials();
  c.session_token = Secret("token/with+chars=");
  SigningOptions o = S3Options();
  o.payload_hash = std::string(kUnsignedPayload);
  o.expires = std::chrono::seconds(900);
  SignedRequest s = SigV4Signer().Presign(Get("/k"), c, o);
  CHECK(s.authorization.empty());
  CHECK(s.query.find("X-Amz-Expires=900") != std::string::npos);
  CHECK(s.query.find("X-Amz-Security-Token=token%2Fwith%2Bchars%3D") != std::string::npos);
  CHECK(s.query.ends_with("&X-Amz-Signature=" + s.signature));
  CHECK(s.signed_headers == "host");
}

TEST_CASE("SigV4Signer caches one signing key per day, region and service") {
  SigV4Signer signer;
  Credentials c = TestCredentials();
  SigningOptions o = S3Options();
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 50; ++j) (void)signer.Sign(Get("/k"), c, o);
    });
  }
  for (auto& t : threads) t.join();
  CHECK(signer.cached_keys() == 1);
  o.region = "eu-west-1";
  (void)signer.Sign(Get("/k"), c, o);
  CHECK(signer.cached_keys() == 2);
  o.time += std::chrono::hours(24);
  (void)signer.Sign(Get("/k"), c, o);
  CHECK(signer.cached_keys() == 3);
  // The cache gives the same key as a fresh derivation.
  CHECK(SigV4Signer().Sign(Get("/k"), c, o).signature == signer.Sign(Get("/k"), c, o).signature);
}

}  // namespace
}  // namespace s3us::aws

#include "s3/errors.h"

#include <catch2/catch.hpp>

#include "aws/aws_time.h"
#include "fakes/fake_transport.h"

namespace s3us::s3 {
namespace {

using testing::MakeResponse;

std::string ErrorDocument(const std::string& code, const std::string& message,
                          const std::string& extra = "") {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" +
         message + "</Message>" + extra +
         "<RequestId>4442587FB7D0A2F9</RequestId><HostId>host-id</HostId></Error>";
}

TEST_CASE("MakeS3Error maps each S3 error code to an ErrorCode") {
  struct Case {
    int status;
    const char* code;
    ErrorCode expected;
    bool retryable;
  } cases[] = {
      {404, "NoSuchKey", ErrorCode::kNotFound, false},
      {404, "NoSuchBucket", ErrorCode::kNotFound, false},
      {404, "NoSuchVersion", ErrorCode::kNotFound, false},
      {403, "AccessDenied", ErrorCode::kAccessDenied, false},
      {403, "SignatureDoesNotMatch", ErrorCode::kAccessDenied, false},
      {403, "InvalidAccessKeyId", ErrorCode::kAccessDenied, false},
      {403, "AllAccessDisabled", ErrorCode::kAccessDenied, false},
      {400, "ExpiredToken", ErrorCode::kExpiredCredentials, false},
      {400, "InvalidToken", ErrorCode::kExpiredCredentials, false},
      {403, "RequestTimeTooSkewed", ErrorCode::kClockSkew, false},
      {503, "SlowDown", ErrorCode::kThrottled, true},
      {503, "ServiceUnavailable", ErrorCode::kHttp, true},
      {500, "InternalError", ErrorCode::kHttp, true},
      {400, "RequestTimeout", ErrorCode::kTimeout, true},
      {403, "InvalidObjectState", ErrorCode::kUnsupported, false},
      {301, "PermanentRedirect", ErrorCode::kWrongRegion, false},
      {307, "TemporaryRedirect", ErrorCode::kHttp, false},
      {400, "AuthorizationHeaderMalformed", ErrorCode::kHttp, false},
      {400, "SomethingNew", ErrorCode::kHttp, false},
      {429, "", ErrorCode::kThrottled, true},
      {404, "", ErrorCode::kNotFound, false},
      {403, "", ErrorCode::kAccessDenied, false},
      {502, "", ErrorCode::kHttp, true},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.status << " " << c.code) {
      std::string body = *c.code ? ErrorDocument(c.code, "Some text.") : "";
      Error e = MakeS3Error(ParseS3Error(MakeResponse(c.status, body)));
      CHECK(e.code() == c.expected);
      CHECK(e.retryable() == c.retryable);
      CHECK(e.http_status() == c.status);
      CHECK(e.aws_code() == c.code);
      if (*c.code) CHECK(e.request_id() == "4442587FB7D0A2F9");
    }
  }
}

TEST_CASE("MakeS3Error explains AccessDenied and names code and request id in the context") {
  Error e =
      MakeS3Error(ParseS3Error(MakeResponse(403, ErrorDocument("AccessDenied", "Access Denied"))));
  CHECK(e.message() ==
        "access denied (the key is missing or the role's policy does not allow s3:GetObject on "
        "it)");
  CHECK(e.ToString() ==
        "HTTP 403 AccessDenied (request id 4442587FB7D0A2F9): access denied (the key is missing "
        "or the role's policy does not allow s3:GetObject on it)");
  Error kms = MakeS3Error(ParseS3Error(
      MakeResponse(403, ErrorDocument("AccessDenied",
                                      "User: arn:aws:sts::1:assumed-role/r is not authorized to "
                                      "perform: kms:Decrypt"))));
  CHECK(kms.message().find("S3 says: User: arn:aws:sts::1:assumed-role/r") != std::string::npos);
}

TEST_CASE("MakeS3Error never repeats the signature debugging echoes") {
  const std::string body = ErrorDocument(
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided.",
      "<AWSAccessKeyId>ASIAECHOECHOECHO0001</AWSAccessKeyId><StringToSign>AWS4-HMAC-SHA256\n"
      "20150830T123600Z</StringToSign><SignatureProvided>deadbeefcafe0011</SignatureProvided>"
      "<CanonicalRequest>GET\n/k\n\nx-amz-security-token:tok-SECRET-ish</CanonicalRequest>"
      "<CanonicalRequestBytes>47 45 54</CanonicalRequestBytes>");
  Error e = MakeS3Error(ParseS3Error(MakeResponse(403, body)));
  std::string text = e.ToString();
  for (const char* leak : {"ASIAECHOECHOECHO0001", "AWS4-HMAC-SHA256", "deadbeefcafe0011",
                           "tok-SECRET-ish", "47 45 54", "StringToSign", "CanonicalRequest"}) {
    CHECK(text.find(leak) == std::string::npos);
  }
}

TEST_CASE("ParseS3Error finds the region in header, Region or Endpoint, in that order") {
  auto both =
      MakeResponse(301, ErrorDocument("PermanentRedirect", "x", "<Region>eu-west-2</Region>"),
                   {{"x-amz-bucket-region", "eu-west-1"}});
  CHECK(ParseS3Error(both).region == "eu-west-1");
  auto region =
      MakeResponse(400, ErrorDocument("AuthorizationHeaderMalformed",
                                      "the region 'us-east-1' is wrong; expecting 'eu-west-2'",
                                      "<Region>eu-west-2</Region>"));
  CHECK(ParseS3Error(region).region == "eu-west-2");
  CHECK(MakeS3Error(ParseS3Error(region)).code() == ErrorCode::kWrongRegion);
  auto endpoint = MakeResponse(
      301, ErrorDocument("PermanentRedirect", "x",
                         "<Endpoint>bucket.s3.ap-southeast-2.amazonaws.com</Endpoint>"));
  CHECK(ParseS3Error(endpoint).region == "ap-southeast-2");
  CHECK(ParseS3Error(MakeResponse(301, "")).region.empty());
}

TEST_CASE("ParseS3Error takes the first of them that is a region name") {
  auto header_bad =
      MakeResponse(301, ErrorDocument("PermanentRedirect", "x", "<Region>eu-west-2</Region>"),
                   {{"x-amz-bucket-region", "attacker.example/"}});
  CHECK(ParseS3Error(header_bad).region == "eu-west-2");
  auto all_bad = MakeResponse(
      301,
      ErrorDocument("PermanentRedirect", "x",
                    "<Region>a.b</Region><Endpoint>bucket.s3.evil-1.example.com</Endpoint>"),
      {{"x-amz-bucket-region", "us-east-1\x1b[2J"}});
  CHECK(ParseS3Error(all_bad).region.empty());
  CHECK(MakeS3Error(ParseS3Error(all_bad)).ToString().find("evil") == std::string::npos);
}

TEST_CASE("ParseS3Error reads the server time from ServerTime or Date") {
  auto skew = MakeResponse(
      403,
      ErrorDocument("RequestTimeTooSkewed", "x",
                    "<RequestTime>20150830T121600Z</RequestTime><ServerTime>2015-08-30T13:16:00Z"
                    "</ServerTime><MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds>"),
      {{"date", "Sun, 30 Aug 2015 13:16:01 GMT"}});
  CHECK(ParseS3Error(skew).server_time == aws::ParseIso8601("2015-08-30T13:16:00Z"));
  auto date = MakeResponse(403, "", {{"date", "Sun, 30 Aug 2015 13:16:01 GMT"}});
  CHECK(ParseS3Error(date).server_time == aws::ParseIso8601("2015-08-30T13:16:01Z"));
  CHECK_FALSE(ParseS3Error(MakeResponse(403, "")).server_time.has_value());
  // A server time past 2262 is no time (see xml_time_test), not undefined behaviour.
  auto far = MakeResponse(403, ErrorDocument("RequestTimeTooSkewed", "x",
                                             "<ServerTime>6015-08-30T13:36:00Z</ServerTime>"));
  CHECK_FALSE(ParseS3Error(far).server_time.has_value());
}

}  // namespace
}  // namespace s3us::s3

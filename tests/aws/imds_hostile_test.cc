// ImdsClient against an IMDS that answers what no IMDS should: tokens that would break the
// header they go back in, documents without end. Nothing of it is echoed or kept.
#include <catch2/catch.hpp>

#include <string>
#include <tuple>
#include <vector>

#include "aws/credential_document.h"
#include "aws/fake_imds.h"
#include "aws/imds_client.h"
#include "fakes/fake_clock.h"
#include "fakes/fake_transport.h"

namespace s3us::aws {
namespace {

using testing::FakeClock;
using testing::FakeImds;
using testing::FakeTransport;

struct HostileFixture {
  FakeTransport transport;
  FakeClock clock;
  FakeImds imds{transport};
  ImdsClient Client() { return ImdsClient("http://169.254.169.254", transport, clock); }
};

TEST_CASE("ImdsClient refuses a token it could not send back as it is") {
  const std::string evil = "Injected";
  for (const std::string& token :
       {"AQAE\r\nX-" + evil + ": yes", "AQAE" + evil + "\x1b[2J", "AQAE " + evil,
        std::string("AQAE\0", 5) + evil, "AQAE" + evil + "\x7f",
        std::string(kMaxImdsTokenBytes + 1, 'A')}) {
    DYNAMIC_SECTION(token.substr(0, 16)) {
      HostileFixture f;
      f.imds.set_token_body(token);
      auto r = f.Client().Get("/latest/meta-data/instance-id");
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().code() == ErrorCode::kImdsUnavailable);
      CHECK(r.error().ToString().find("unusable token (" + std::to_string(token.size()) +
                                      " bytes") != std::string::npos);
      CHECK(r.error().ToString().find(evil) == std::string::npos);
      CHECK(f.transport.request_count() == 1);  // the PUT; no GET carried it
    }
  }
}

TEST_CASE("ImdsClient takes a token of printable ASCII up to the limit, trimmed") {
  HostileFixture f;
  f.imds.set_token_body("\r\n" + std::string(kMaxImdsTokenBytes, '~') + "\n");
  auto r = f.Client().Get("/latest/meta-data/instance-id");
  REQUIRE(r.ok());
  auto sent = f.transport.requests();
  REQUIRE(sent.size() == 2);
  bool found = false;
  for (const auto& [name, value] : sent[1].headers) {
    found = found || value == std::string(kMaxImdsTokenBytes, '~');
  }
  CHECK(found);
}

TEST_CASE("ImdsClient bounds every answer: metadata at 1 MiB, user data at 16 MiB") {
  HostileFixture f;
  const std::string path = "/latest/meta-data/iam/security-credentials/web-role";
  f.imds.Set(path, 200, std::string(kMaxImdsAnswerBytes + 1, '{'));
  auto creds = f.Client().GetRoleCredentials("web-role");
  REQUIRE_FALSE(creds.ok());
  CHECK(creds.error().code() == ErrorCode::kLimitExceeded);
  CHECK(creds.error().ToString().find("IMDS answering GET " + path) != std::string::npos);

  f.imds.Set("/latest/user-data", 200, std::string(kMaxImdsAnswerBytes + 1, '#'));
  auto user_data = f.Client().GetUserData();
  REQUIRE(user_data.ok());
  CHECK(user_data->size() == kMaxImdsAnswerBytes + 1);
  f.imds.Set("/latest/user-data", 200, std::string(kMaxImdsUserDataBytes + 1, '#'));
  user_data = f.Client().GetUserData();
  REQUIRE_FALSE(user_data.ok());
  CHECK(user_data.error().code() == ErrorCode::kLimitExceeded);
}

TEST_CASE("ImdsClient takes a role name only as IAM would allow it") {
  const std::string list = "/latest/meta-data/iam/security-credentials/";
  for (const char* name : {"web-role", "a+b=c,d.e@f_g-h", "R"}) {
    HostileFixture f;
    f.imds.Set(list, 200, std::string(name) + "\n");
    CHECK(f.Client().GetRoleName().value() == name);
  }
  for (const std::string& name :
       {std::string("../../latest/user-data"), std::string("a b"), std::string("role?x=1"),
        std::string("r\x1b[2J"), std::string(65, 'r')}) {
    DYNAMIC_SECTION(name.substr(0, 16)) {
      HostileFixture f;
      f.imds.Set(list, 200, name + "\n");
      auto role = f.Client().GetRoleName();
      REQUIRE_FALSE(role.ok());
      CHECK(role.error().code() == ErrorCode::kInvalidInput);
      CHECK(role.error().ToString().find("\x1b") == std::string::npos);
      f.imds.Set(list, 200, name + "\n");
      auto facts = f.Client().FetchInstanceFacts();
      REQUIRE_FALSE(facts.ok());
      CHECK(facts.error().ToString().find("no IAM role name") != std::string::npos);
    }
  }
}

TEST_CASE("ImdsClient instance facts refuse a region or domain that would change S3's host") {
  struct Case {
    const char* path;
    const char* value;
    const char* says;
  } cases[] = {
      {"/latest/meta-data/placement/region", "evil.example/x?", "no region name"},
      {"/latest/meta-data/placement/region", "eu-west-1.evil.example", "no region name"},
      {"/latest/meta-data/services/domain", "evil.example/x?", "no domain name"},
      {"/latest/meta-data/services/domain", "evil.example#", "no domain name"},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(c.path << " " << c.value) {
      HostileFixture f;
      f.imds.Set("/latest/dynamic/instance-identity/document", 200,
                 R"({"instanceId":"i-0123456789abcdef0","availabilityZone":"eu-west-1b"})");
      f.imds.Set(c.path, 200, c.value);
      auto facts = f.Client().FetchInstanceFacts();
      REQUIRE_FALSE(facts.ok());
      CHECK(facts.error().code() == ErrorCode::kInvalidInput);
      CHECK(facts.error().ToString().find(c.says) != std::string::npos);
    }
  }
  HostileFixture f;
  f.imds.Set("/latest/meta-data/services/domain", 200, "c2s.ic.gov");
  CHECK(f.Client().FetchInstanceFacts().value().domain == "c2s.ic.gov");
}

TEST_CASE("ImdsClient refuses credential fields that would break a header, naming the field") {
  const std::string path = "/latest/meta-data/iam/security-credentials/web-role";
  for (const auto& [field, key, token] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"AccessKeyId", "ASIA/../ X\\u0001", "token"},
           {"Token", "asiaLOWER_with_underscore_but_long_enough", "tok en"},
           {"Token", "ASIAIMDS000000000001", "tok\\r\\nX-Injected: yes"},
           {"Token", "ASIAIMDS000000000001", "tok en\\u007f"}}) {
    INFO(key + " " + token);
    HostileFixture f;
    std::string doc = FakeImds::CredentialsJson("2015-08-30T18:16:00Z", key);
    doc.replace(doc.find(FakeImds::kSessionToken), std::string(FakeImds::kSessionToken).size(),
                token);
    f.imds.Set(path, 200, doc);
    Result<Credentials> creds = f.Client().GetRoleCredentials("web-role");
    REQUIRE_FALSE(creds.ok());
    CHECK(creds.error().code() == ErrorCode::kInvalidInput);
    CHECK_THAT(creds.error().ToString(),
               Catch::StartsWith("instance role web-role credentials from IMDS: " + field) &&
                   !Catch::Contains("X-Injected") && !Catch::Contains("ASIA/"));
  }
}

TEST_CASE(
    "CheckCredentialFields takes what AWS issues: up to 128 of [A-Za-z0-9_], printable secrets") {
  Credentials c;
  c.secret_access_key = Secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  c.session_token = Secret("IQoJb3JpZ2luX2VjE+/=");
  for (const std::string& id :
       {std::string("AKIDTEST"), std::string(128, '9'), std::string("AKIA_lower0123456")}) {
    c.access_key_id = id;
    CHECK(CheckCredentialFields(c).ok());
  }
  for (const std::string& id :
       {std::string(), std::string(129, 'A'), std::string("AKIAAAAAAAAAAAAAA-"),
        std::string("AKIAAAAAAAAAAAAA\xc3\xa9")}) {
    c.access_key_id = id;
    CHECK_FALSE(CheckCredentialFields(c).ok());
  }
  c.access_key_id = "AKIAIOSFODNN7EXAMPLE";
  c.session_token = Secret("");  // long-term keys have none
  CHECK(CheckCredentialFields(c).ok());
  c.session_token = Secret(std::string("tok\0en", 6));
  Status s = CheckCredentialFields(c, {.session_token = "SessionToken"});
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message() ==
        "SessionToken holds a byte that is not printable ASCII or is a space");
}

TEST_CASE("ImdsClient takes an answer only when its framing proves it whole") {
  HostileFixture f;
  const std::string cut = "#!/bin/sh\ntouch /tmp/MARKER\ntouch /tmp/SE";
  f.imds.SetUnframed("/latest/user-data", cut, {{"connection", "close"}});
  Result<std::string> user_data = f.Client().GetUserData();
  REQUIRE_FALSE(user_data.ok());
  CHECK(user_data.error().code() == ErrorCode::kImdsUnavailable);
  CHECK_THAT(user_data.error().message(),
             Catch::Contains("answered GET /latest/user-data close-delimited (no Content-Length: "
                             "completeness unproven)"));

  const std::string path = "/latest/meta-data/iam/security-credentials/web-role";
  f.imds.SetUnframed(path, testing::FakeImds::CredentialsJson());
  Result<Credentials> creds = f.Client().GetRoleCredentials("web-role");
  REQUIRE_FALSE(creds.ok());
  CHECK(creds.error().code() == ErrorCode::kImdsUnavailable);

  f.imds.SetUnframed("/latest/user-data", cut + "\n", {{"transfer-encoding", "chunked"}});
  user_data = f.Client().GetUserData();
  REQUIRE(user_data.ok());
  CHECK(*user_data == cut + "\n");
}

}  // namespace
}  // namespace s3us::aws

// ImdsClient against an IMDS that answers what no IMDS should: tokens that would break the
// header they go back in, documents without end. Nothing of it is echoed or kept.
#include <catch2/catch.hpp>

#include <string>

#include "aws/fake_imds.h"
#include "aws/imds_client.h"
#include "fakes/fake_clock.h"
#include "fakes/fake_transport.h"

namespace s3us::aws {
namespace {

using testing::FakeClock;
using testing::FakeImds;
using testing::FakeTransport;

struct Fixture {
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
      Fixture f;
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
  Fixture f;
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
  Fixture f;
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

}  // namespace
}  // namespace s3us::aws

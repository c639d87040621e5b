// The smithy-rs default-credential-provider-chain cases (tests/data/aws-config/smithy-rs):
// the real default chain against the recorded STS and SSO portal traffic, with a fake IMDS
// provider answering the recorded instance role credentials.
#include <catch2/catch.hpp>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>

#include "aws/credential_chain.h"
#include "aws/credential_providers.h"
#include "aws/test_data.h"
#include "fakes/fake_clock.h"

namespace s3us::aws {
namespace {

using nlohmann::json;
using std::chrono::seconds;
namespace fs = std::filesystem;

std::string Utf8(const json& action) { return action["Data"]["data"]["Utf8"].get<std::string>(); }

// Answers each request with the recorded response to the same method and URL (each used
// once, in order), and checks the request is signed by the recorded access key or, like
// the recording, unsigned.
class RecordedTraffic : public net::Transport {
 public:
  struct Exchange {
    std::string method, uri, authorization, request_body, response_body;
    int status = 0;
    bool used = false;
  };

  // `check_signer`: signed requests must use the recorded access key id.
  RecordedTraffic(const json& traffic, bool check_signer) : check_signer_(check_signer) {
    std::map<int, Exchange> by_connection;
    for (const json& e : traffic["events"]) {
      Exchange& x = by_connection[e["connection_id"].get<int>()];
      const json& a = e["action"];
      if (a.contains("Request")) {
        const json& r = a["Request"]["request"];
        x.method = r["method"];
        x.uri = r["uri"];
        for (const auto& [name, values] : r["headers"].items()) {
          if (name == "authorization") x.authorization = values[0];
        }
      } else if (a.contains("Response")) {
        x.status = a["Response"]["response"]["Ok"]["status"];
      } else if (a.contains("Data")) {
        (a["Data"]["direction"] == "Request" ? x.request_body : x.response_body) += Utf8(a);
      }
    }
    for (auto& [id, x] : by_connection) exchanges_.push_back(x);
  }

  Result<net::Response> Send(const net::Request& request, net::BodySink* sink) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (Exchange& x : exchanges_) {
      if (x.used || x.method != request.method || x.uri != request.url) continue;
      x.used = true;
      std::string auth;
      for (const auto& [name, value] : request.headers) {
        if (name == "Authorization") auth = value;
      }
      // Only SigV4 is compared: a container endpoint's token is not in the recordings.
      if (!auth.starts_with("AWS4-HMAC-SHA256")) auth.clear();
      CHECK(auth.empty() == x.authorization.empty());
      if (!auth.empty() && check_signer_) {
        auto key = [](const std::string& a) { return a.substr(0, a.find('/')); };
        CHECK(key(auth) == key(x.authorization));
      }
      if (!x.request_body.empty()) {
        std::string action = x.request_body.substr(0, x.request_body.find('&'));
        CHECK(request.body.starts_with(action + "&"));
      }
      net::Response r;
      r.status = x.status;
      r.body = x.response_body;
      if (sink != nullptr && r.status >= 200 && r.status < 300) {
        REQUIRE(sink->Write(r.body).ok());
        r.body.clear();
      }
      return r;
    }
    return Error(ErrorCode::kTransport,
                 "no recorded exchange for " + request.method + " " + request.url);
  }

  size_t unused() const {
    size_t n = 0;
    for (const Exchange& x : exchanges_) n += x.used || x.uri.starts_with("http://169.254") ? 0 : 1;
    return n;
  }

 private:
  const bool check_signer_;
  std::mutex mu_;
  std::vector<Exchange> exchanges_;
};

// The instance role credentials of the recorded IMDS traffic, without the IMDS protocol
// (tested on its own in imds_client_test.cc).
class RecordedImds : public CredentialProvider {
 public:
  explicit RecordedImds(const json& traffic) {
    for (const json& e : traffic["events"]) {
      const json& action = e["action"];
      if (!action.contains("Data") || action["Data"]["direction"] != "Response") continue;
      json body = json::parse(Utf8(action), nullptr, false);
      if (body.is_object() && body.contains("AccessKeyId")) body_ = body;
    }
  }
  Result<Credentials> Get(bool) override {
    ++calls;
    if (body_.is_null()) return Error(ErrorCode::kImdsUnavailable, "no recorded credentials");
    Credentials c;
    c.access_key_id = body_["AccessKeyId"];
    c.secret_access_key = Secret(body_["SecretAccessKey"].get<std::string>());
    c.session_token = Secret(body_["Token"].get<std::string>());
    Result<Clock::WallTime> exp = ParseAwsTimestamp(body_["Expiration"].get<std::string>());
    REQUIRE(exp.ok());
    c.expiration = *exp;
    c.provider = "imds role";
    return c;
  }
  std::string Name() const override { return "instance role (IMDS)"; }
  int calls = 0;

 private:
  json body_;
};

Environment CaseEnvironment(const std::string& dir) {
  std::map<std::string, std::string> vars, files;
  json env = json::parse(testdata::ReadTestFile(dir + "/env.json"));
  for (const auto& [k, v] : env.items()) vars[k] = v.get<std::string>();
  if (fs::exists(dir + "/fs")) {
    for (const auto& entry : fs::recursive_directory_iterator(dir + "/fs")) {
      if (!entry.is_regular_file()) continue;
      std::string rel = fs::relative(entry.path(), dir + "/fs").string();
      files["/" + rel] = testdata::ReadTestFile(entry.path().string());
    }
  }
  return Environment::Fake(vars, files);
}

struct Case {
  const char* name;
  // For error cases: what our message says (smithy-rs words it its own way).
  const char* error = nullptr;
  // The recording signed STS with other keys than its own source answer handed out.
  bool recorded_signer_differs = false;
};

// 25 of the 29 smithy-rs cases; the other 4 are the IMDS protocol cases
// (imds_default_chain_error/_retries, imds_no_iam_role, imds_token_fail), which
// imds_client_test.cc covers against its own fake IMDS.
const Case kCases[] = {
    {"environment_variables"},
    {"environment_variables_blank"},
    {"prefer_environment"},
    {"profile_static_keys"},
    {"profile_static_keys_case_insensitive"},
    {"profile_name"},
    {"imds_disabled", "instance role (IMDS): AWS_EC2_METADATA_DISABLED is true"},
    {"imds_config_with_no_creds"},
    {"imds_default_chain_success"},
    {"imds_assume_role"},
    {"web_identity_token_env"},
    {"web_identity_token_profile"},
    {"web_identity_token_source_profile"},
    {"web_identity_source_profile_no_env",
     "profile 'B' web_identity_token_file names a web identity token file but profile 'B' has "
     "no role_arn"},
    {"web_identity_token_invalid_jwt",
     "HTTP 400 InvalidIdentityToken: No OpenIDConnect provider found in your account"},
    {"profile_overrides_web_identity",
     "assume role (profile 'A'): source environment has no credentials: AWS_ACCESS_KEY_ID is not "
     "set"},
    {"sso_assume_role"},
    {"sso_no_token_file",
     "no cached token in /home/.aws/sso/cache/dace00cba5f8355ec9d274ceb2bcebdfbeed0e12.json; "
     "run aws sso login --profile sso-test"},
    {"sso_server_error",
     "GetRoleCredentials for account 123456789 role MySsoRole at "
     "https://portal.sso.us-east-2.amazonaws.com: HTTP 503"},
    {"e2e_fips_and_dual_stack_sso"},
    {"ecs_credentials"},
    {"ecs_credentials_invalid_profile"},
    {"ecs_assume_role", nullptr, /*recorded_signer_differs=*/true},
    {"eks_pod_identity_credentials"},
    {"eks_pod_identity_no_token_file",
     "could not get credentials from container credentials: AWS_CONTAINER_CREDENTIALS_FULL_URI "
     "at http://169.254.170.23: AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE /token.jwt does not "
     "exist"},
};

TEST_CASE("The default chain passes 25 smithy-rs conformance cases") {
  for (const Case& c : kCases) {
    INFO(c.name);
    std::string dir =
        testdata::SmithyPath(std::string("default-credential-provider-chain/") + c.name);
    json test_case = json::parse(testdata::ReadTestFile(dir + "/test-case.json"));
    const json& expected = test_case["result"];
    Environment env = CaseEnvironment(dir);
    Result<AwsConfig> config = LoadAwsConfig(env);
    REQUIRE(config.ok());
    json traffic = json::parse(testdata::ReadTestFile(dir + "/http-traffic.json"));
    auto imds = std::make_shared<RecordedImds>(traffic);
    RecordedTraffic transport(traffic, !c.recorded_signer_differs);
    testing::FakeClock clock;
    std::unique_ptr<CredentialChain> chain =
        MakeDefaultCredentialChain(*config, env, imds, clock, &transport);
    Result<Credentials> got = chain->Get();
    if (c.error == nullptr) {
      REQUIRE(expected.contains("Ok"));
      const json& ok = expected["Ok"];
      REQUIRE(got.ok());
      CHECK(got->access_key_id == ok["access_key_id"].get<std::string>());
      CHECK(got->secret_access_key.reveal() == ok["secret_access_key"].get<std::string>());
      CHECK(got->session_token.reveal() == ok.value("session_token", ""));
      if (ok.contains("expiry")) {
        CHECK(got->expiration == Clock::WallTime(seconds(ok["expiry"].get<int64_t>())));
      } else {
        CHECK_FALSE(got->expiration.has_value());
      }
      CHECK(imds->calls == (std::string(c.name).starts_with("imds_") ? 1 : 0));
      CHECK(transport.unused() == 0);
    } else {
      REQUIRE(expected.contains("ErrorContains"));
      REQUIRE_FALSE(got.ok());
      CHECK(got.error().code() == ErrorCode::kNoCredentials);
      CHECK_THAT(got.error().ToString(), Catch::Contains(c.error));
      CHECK(imds->calls == 0);
    }
  }
}

}  // namespace
}  // namespace s3us::aws

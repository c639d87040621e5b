#include "aws/aws_config.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "aws/test_data.h"

namespace s3us::aws {
namespace {

using nlohmann::json;
using Vars = std::map<std::string, std::string>;

std::string Unquote(std::string s) {
  for (char& c : s) {
    if (c == '`') c = '\'';
  }
  return s;
}

TEST_CASE("ResolveImdsConfig passes every smithy-rs IMDS endpoint case") {
  json suite = testdata::LoadSmithyJson("imds-config/imds-endpoint-tests.json");
  REQUIRE(suite["tests"].size() == 14);
  for (const json& t : suite["tests"]) {
    INFO(t["docs"].get<std::string>());
    Vars vars, files;
    for (const auto& [k, v] : t["env"].items()) vars[k] = v.get<std::string>();
    for (const auto& [k, v] : t["fs"].items()) files[k] = v.get<std::string>();
    AwsConfigOverrides o;
    if (t.contains("endpoint_override")) o.imds_endpoint = t["endpoint_override"];
    if (t.contains("mode_override")) o.imds_endpoint_mode = t["mode_override"];
    Result<AwsConfig> cfg = LoadAwsConfig(Environment::Fake(vars, files), o);
    if (t["result"].contains("Ok")) {
      REQUIRE(cfg.ok());
      CHECK(cfg->imds.TokenUrl() == t["result"]["Ok"].get<std::string>());
    } else {
      REQUIRE_FALSE(cfg.ok());
      CHECK(cfg.error().code() == ErrorCode::kInvalidInput);
      CHECK_THAT(cfg.error().ToString(),
                 Catch::Contains(Unquote(t["result"]["Err"].get<std::string>())));
    }
  }
}

Result<AwsConfig> Load(Vars vars, std::string config = "", AwsConfigOverrides o = {}) {
  vars["HOME"] = "/h";
  return LoadAwsConfig(Environment::Fake(vars, {{"/h/.aws/config", config}}), o);
}

TEST_CASE("Region comes from the override, AWS_REGION, AWS_DEFAULT_REGION, then the profile") {
  const std::string config = "[default]\nregion = eu-west-1\n[profile dev]\nregion = ap-south-1\n";
  struct Case {
    Vars vars;
    std::optional<std::string> override_region;
    std::string region, source;
  };
  const Case cases[] = {
      {{}, {}, "eu-west-1", "profile 'default' region"},
      {{{"AWS_PROFILE", "dev"}}, {}, "ap-south-1", "profile 'dev' region"},
      {{{"AWS_DEFAULT_REGION", "us-west-1"}}, {}, "us-west-1", "AWS_DEFAULT_REGION"},
      {{{"AWS_REGION", "us-east-2"}, {"AWS_DEFAULT_REGION", "us-west-1"}},
       {},
       "us-east-2",
       "AWS_REGION"},
      {{{"AWS_REGION", " "}, {"AWS_DEFAULT_REGION", "us-west-1"}},
       {},
       "us-west-1",
       "AWS_DEFAULT_REGION"},
      {{{"AWS_REGION", "us-east-2"}}, "cn-north-1", "cn-north-1", "override"},
      // botocore's global pseudo-region: S3 serves and signs it as us-east-1.
      {{{"AWS_REGION", "aws-global"}}, {}, "us-east-1", "AWS_REGION"},
  };
  for (const Case& c : cases) {
    AwsConfigOverrides o;
    o.region = c.override_region;
    Result<AwsConfig> cfg = Load(c.vars, config, o);
    REQUIRE(cfg.ok());
    CHECK(cfg->region == c.region);
    CHECK(cfg->region_source == c.source);
  }
  Result<AwsConfig> none = Load({}, "");
  REQUIRE(none.ok());
  CHECK(none->region.empty());
}

TEST_CASE("An invalid region names its source") {
  Result<AwsConfig> cfg = Load({{"AWS_REGION", "us east 1"}});
  REQUIRE_FALSE(cfg.ok());
  CHECK(cfg.error().ToString() ==
        "invalid AWS_REGION 'us east 1': a region has only a-z, 0-9 and '-'");
}

TEST_CASE("Region and endpoint checks say the problem alone, for a caller that names the source") {
  CHECK(CheckRegion("eu-west-1").ok());
  CHECK(CheckRegion("bad_region").error().message() == "a region has only a-z, 0-9 and '-'");
  CHECK(CheckRegion(std::string(64, 'a')).error().message() == "too long for a region");
  CHECK(CheckEndpointUrl("http://127.0.0.1:9000/").ok());
  CHECK(CheckEndpointUrl("ftp://x").error().message() == "expected an http:// or https:// URL");
  CHECK(CheckEndpointUrl("http://").error().message() == "expected http(s)://host[:port]");
  CHECK(CheckEndpointUrl("http://h/?q").error().message() == "no query or fragment allowed");
}

TEST_CASE("The S3 endpoint override follows the service-specific endpoint precedence") {
  const std::string config =
      "[default]\nendpoint_url = http://global:1\nservices = local\ns3 =\n"
      "  endpoint_url = http://profile-s3:2\n"
      "[profile plain]\nendpoint_url = http://global:1/\n"
      "[profile ignoring]\nignore_configured_endpoint_urls = true\nendpoint_url = http://x:1\n"
      "[services local]\ns3 =\n  endpoint_url = http://services-s3:3\n";
  struct Case {
    Vars vars;
    std::optional<std::string> override_url;
    std::string url, source;
  };
  const Case cases[] = {
      {{}, {}, "http://services-s3:3", "services 'local' s3 endpoint_url"},
      {{{"AWS_PROFILE", "plain"}}, {}, "http://global:1", "profile 'plain' endpoint_url"},
      {{{"AWS_ENDPOINT_URL", "http://127.0.0.1:9000"}},
       {},
       "http://127.0.0.1:9000",
       "AWS_ENDPOINT_URL"},
      {{{"AWS_ENDPOINT_URL", "http://a:1"}, {"AWS_ENDPOINT_URL_S3", "https://b:2/"}},
       {},
       "https://b:2",
       "AWS_ENDPOINT_URL_S3"},
      {{{"AWS_ENDPOINT_URL_S3", "https://b:2"}},
       "http://127.0.0.1:1",
       "http://127.0.0.1:1",
       "override"},
      {{{"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE"}, {"AWS_ENDPOINT_URL", "http://a:1"}},
       {},
       "",
       ""},
      {{{"AWS_PROFILE", "ignoring"}}, {}, "", ""},
  };
  for (const Case& c : cases) {
    AwsConfigOverrides o;
    o.s3_endpoint_url = c.override_url;
    Result<AwsConfig> cfg = Load(c.vars, config, o);
    REQUIRE(cfg.ok());
    CHECK(cfg->s3_endpoint_url == c.url);
    CHECK(cfg->s3_endpoint_source == c.source);
  }
}

TEST_CASE("A profile's own s3 sub-section endpoint is used without a services section") {
  Result<AwsConfig> cfg = Load({}, "[default]\ns3 =\n  endpoint_url = http://sub:4\n");
  REQUIRE(cfg.ok());
  CHECK(cfg->s3_endpoint_url == "http://sub:4");
}

TEST_CASE("Endpoint URLs are checked") {
  CHECK(NormalizeEndpointUrl("http://h", "x").value() == "http://h");
  CHECK(NormalizeEndpointUrl("https://h:443/base/", "x").value() == "https://h:443/base");
  CHECK(NormalizeEndpointUrl("http://[::1]:1338", "x").value() == "http://[::1]:1338");
  CHECK(NormalizeEndpointUrl("ftp://h", "x").error().message() ==
        "invalid x 'ftp://h': expected an http:// or https:// URL");
  CHECK_FALSE(NormalizeEndpointUrl("http://", "x").ok());
  // Refused without echoing a password or a query (which may hold a signature).
  CHECK(NormalizeEndpointUrl("https://svc:Pa55-secret@s3.example.com", "x").error().message() ==
        "invalid x 'https://s3.example.com': expected http(s)://host[:port]");
  CHECK(NormalizeEndpointUrl("http://h/?X-Amz-Signature=sig", "x").error().message() ==
        "invalid x 'http://h/': no query or fragment allowed");
  CHECK_THAT(NormalizeEndpointUrl("http://h\x01", "x").error().message(),
             Catch::Contains("invalid uri character"));
}

TEST_CASE("FIPS and dual-stack flags come from the environment or the profile") {
  Result<AwsConfig> cfg =
      Load({{"AWS_USE_FIPS_ENDPOINT", "True"}},
           "[default]\nuse_dualstack_endpoint = true\nuse_fips_endpoint = false");
  REQUIRE(cfg.ok());
  CHECK(cfg->use_fips_endpoint);
  CHECK(cfg->use_dualstack_endpoint);
  cfg = Load({});
  REQUIRE(cfg.ok());
  CHECK_FALSE(cfg->use_fips_endpoint);
  CHECK_FALSE(cfg->use_dualstack_endpoint);
  cfg = Load({{"AWS_USE_DUALSTACK_ENDPOINT", "yes"}});
  REQUIRE_FALSE(cfg.ok());
  CHECK(cfg.error().ToString() ==
        "invalid AWS_USE_DUALSTACK_ENDPOINT 'yes': expected true or false");
}

TEST_CASE("IMDS is disabled only by a case-insensitive true or an explicit override") {
  struct Case {
    Vars vars;
    std::optional<bool> override_disabled;
    bool disabled;
  };
  const Case cases[] = {
      {{}, {}, false},
      {{{"AWS_EC2_METADATA_DISABLED", "True"}}, {}, true},
      {{{"AWS_EC2_METADATA_DISABLED", "true"}}, {}, true},
      {{{"AWS_EC2_METADATA_DISABLED", "1"}}, {}, false},
      {{{"AWS_EC2_METADATA_DISABLED", "false"}}, {}, false},
      {{{"AWS_EC2_METADATA_DISABLED", "true"}}, false, false},
      {{}, true, true},
  };
  for (const Case& c : cases) {
    AwsConfigOverrides o;
    o.imds_disabled = c.override_disabled;
    Result<AwsConfig> cfg = Load(c.vars, "", o);
    REQUIRE(cfg.ok());
    CHECK(cfg->imds.disabled == c.disabled);
    CHECK(cfg->imds.disabled_reason.empty() == !c.disabled);
  }
}

TEST_CASE("IMDSv1 is used only when allowed explicitly and not disabled by configuration") {
  struct Case {
    Vars vars;
    std::string config;
    std::optional<bool> allow;
    bool v1_disabled, fallback;
  };
  const Case cases[] = {
      {{}, "", {}, false, false},
      {{}, "", true, false, true},
      {{{"AWS_EC2_METADATA_V1_DISABLED", "true"}}, "", true, true, false},
      {{}, "[default]\nec2_metadata_v1_disabled = TRUE", true, true, false},
      {{{"AWS_EC2_METADATA_V1_DISABLED", "false"}},
       "[default]\nec2_metadata_v1_disabled = true",
       true,
       false,
       true},
  };
  for (const Case& c : cases) {
    AwsConfigOverrides o;
    o.imds_allow_v1 = c.allow;
    Result<AwsConfig> cfg = Load(c.vars, c.config, o);
    REQUIRE(cfg.ok());
    CHECK(cfg->imds.v1_disabled == c.v1_disabled);
    CHECK(cfg->imds.V1FallbackAllowed() == c.fallback);
  }
}

TEST_CASE("IMDS timeout and attempts are read and checked") {
  Result<AwsConfig> cfg = Load({{"AWS_METADATA_SERVICE_TIMEOUT", "2.5"}},
                               "[default]\nmetadata_service_num_attempts = 3\n"
                               "metadata_service_timeout = 9\n");
  REQUIRE(cfg.ok());
  CHECK(cfg->imds.timeout == Clock::Duration(2500));
  CHECK(cfg->imds.attempts == 3);
  cfg = Load({});
  REQUIRE(cfg.ok());
  CHECK_FALSE(cfg->imds.timeout.has_value());
  CHECK_FALSE(cfg->imds.attempts.has_value());
  for (const char* bad : {"0", "-1", "abc", "1e9", "nan"}) {
    INFO(bad);
    CHECK(Load({{"AWS_METADATA_SERVICE_TIMEOUT", bad}}).error().code() == ErrorCode::kInvalidInput);
  }
  for (const char* bad : {"0", "1.5", "x", "1000"}) {
    INFO(bad);
    CHECK(Load({{"AWS_METADATA_SERVICE_NUM_ATTEMPTS", bad}}).error().code() ==
          ErrorCode::kInvalidInput);
  }
}

TEST_CASE("max_attempts and retry_mode come from the environment over the profile") {
  std::string profile = "[default]\nmax_attempts = 7\nretry_mode = legacy\n";
  Result<AwsConfig> cfg = Load({}, profile);
  REQUIRE(cfg.ok());
  CHECK(cfg->max_attempts == 7);
  CHECK(cfg->retry_mode == "legacy");
  cfg = Load({{"AWS_MAX_ATTEMPTS", "2"}, {"AWS_RETRY_MODE", "standard"}}, profile);
  REQUIRE(cfg.ok());
  CHECK(cfg->max_attempts == 2);
  CHECK(cfg->retry_mode == "standard");
  cfg = Load({});
  REQUIRE(cfg.ok());
  CHECK_FALSE(cfg->max_attempts.has_value());
  CHECK(cfg->retry_mode.empty());
  CHECK(Load({}, "[default]\nmax_attempts = 0\n").error().message() ==
        "invalid profile 'default' max_attempts '0': expected a whole number of attempts from 1 "
        "to 999");
  CHECK(Load({{"AWS_RETRY_MODE", "fast"}}).error().message() ==
        "invalid AWS_RETRY_MODE 'fast': expected legacy, standard or adaptive");
  CHECK(Load({{"AWS_MAX_ATTEMPTS", "999"}}).ok());
  CHECK_FALSE(Load({{"AWS_MAX_ATTEMPTS", "1000"}}).ok());
}

TEST_CASE("IMDS endpoint from the profile of the selected name, with a trailing slash dropped") {
  Result<AwsConfig> cfg =
      Load({{"AWS_PROFILE", "emu"}},
           "[default]\nec2_metadata_service_endpoint = http://wrong\n"
           "[profile emu]\nec2_metadata_service_endpoint = http://127.0.0.1:1338/\n");
  REQUIRE(cfg.ok());
  CHECK(cfg->imds.endpoint == "http://127.0.0.1:1338");
  CHECK(cfg->imds.TokenUrl() == "http://127.0.0.1:1338/latest/api/token");
  CHECK(cfg->imds.mode == ImdsEndpointMode::kIPv4);
}

}  // namespace
}  // namespace s3us::aws

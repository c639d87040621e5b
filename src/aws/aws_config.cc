#include "aws/aws_config.h"

#include <charconv>
#include <cmath>

#include "core/secret.h"
#include "core/strings.h"

namespace s3us::aws {
namespace {

struct Setting {
  std::string value;
  std::string source;  // "AWS_REGION", "profile 'dev' region", "override"
};

// Context for profile lookups: the profile (may be null) and its name for messages.
struct ProfileRef {
  const Profile* profile = nullptr;
  std::string name;
};

std::optional<Setting> FromEnv(const Environment& env, std::string_view var) {
  if (std::optional<std::string> v = env.GetNonBlank(var)) return Setting{*v, std::string(var)};
  return std::nullopt;
}

std::optional<Setting> FromProfile(const ProfileRef& p, std::string_view key) {
  if (p.profile == nullptr) return std::nullopt;
  const std::string* v = p.profile->Get(key);
  if (v == nullptr || Trim(*v).empty()) return std::nullopt;
  return Setting{std::string(Trim(*v)), "profile '" + p.name + "' " + std::string(key)};
}

std::optional<Setting> Lookup(const Environment& env, const ProfileRef& p, std::string_view var,
                              std::string_view key) {
  if (auto s = FromEnv(env, var)) return s;
  return FromProfile(p, key);
}

Error BadSetting(const Setting& s, std::string_view problem) {
  return Error(ErrorCode::kInvalidInput,
               "invalid " + s.source + " '" + s.value + "': " + std::string(problem));
}

Result<bool> ParseBool(const Setting& s) {
  if (IEquals(s.value, "true")) return true;
  if (IEquals(s.value, "false")) return false;
  return BadSetting(s, "expected true or false");
}

Result<bool> LookupBool(const Environment& env, const ProfileRef& p, std::string_view var,
                        std::string_view key) {
  std::optional<Setting> s = Lookup(env, p, var, key);
  if (!s) return false;
  return ParseBool(*s);
}

Result<ImdsEndpointMode> ParseMode(const Setting& s) {
  if (IEquals(s.value, "IPv4")) return ImdsEndpointMode::kIPv4;
  if (IEquals(s.value, "IPv6")) return ImdsEndpointMode::kIPv6;
  return Error(ErrorCode::kInvalidInput, "invalid " + s.source + ": '" + s.value +
                                             "' is not a valid endpoint mode (IPv4 or IPv6)");
}

bool IsUriChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("-._~:/?#[]@!$&'()*+,;=%").find(c) != std::string_view::npos;
}

Result<std::optional<Clock::Duration>> ParseTimeout(const std::optional<Setting>& s) {
  if (!s) return std::optional<Clock::Duration>();
  char* end = nullptr;
  double seconds = std::strtod(s->value.c_str(), &end);
  if (end != s->value.c_str() + s->value.size() || !std::isfinite(seconds) || seconds <= 0 ||
      seconds > 3600) {
    return BadSetting(*s, "expected a number of seconds between 0 and 3600");
  }
  return std::optional<Clock::Duration>(Clock::Duration(std::llround(seconds * 1000)));
}

Result<std::optional<int>> ParseAttempts(const std::optional<Setting>& s, int max = 100) {
  if (!s) return std::optional<int>();
  int n = 0;
  auto [ptr, ec] = std::from_chars(s->value.data(), s->value.data() + s->value.size(), n);
  if (ec != std::errc() || ptr != s->value.data() + s->value.size() || n < 1 || n > max) {
    return BadSetting(*s, "expected a whole number of attempts from 1 to " + std::to_string(max));
  }
  return std::optional<int>(n);
}

Status ResolveRetries(const Environment& env, const ProfileRef& p, AwsConfig& cfg) {
  auto attempts = ParseAttempts(Lookup(env, p, "AWS_MAX_ATTEMPTS", "max_attempts"), 999);
  if (!attempts.ok()) return std::move(attempts).error();
  cfg.max_attempts = *attempts;
  if (auto mode = Lookup(env, p, "AWS_RETRY_MODE", "retry_mode")) {
    if (mode->value != "legacy" && mode->value != "standard" && mode->value != "adaptive") {
      return BadSetting(*mode, "expected legacy, standard or adaptive");
    }
    cfg.retry_mode = mode->value;
  }
  return Ok();
}

Result<std::string> ResolveRegion(const Environment& env, const ProfileRef& p,
                                  const AwsConfigOverrides& o, std::string& source) {
  std::optional<Setting> s;
  if (o.region && !o.region->empty()) s = Setting{*o.region, "override"};
  if (!s) s = FromEnv(env, "AWS_REGION");
  if (!s) s = FromEnv(env, "AWS_DEFAULT_REGION");
  if (!s) s = FromProfile(p, "region");
  if (!s) return std::string();
  if (Status ok = CheckRegion(s->value); !ok.ok()) return BadSetting(*s, ok.error().message());
  source = s->source;
  // botocore's name for the global endpoints, which S3 signs and serves as us-east-1.
  if (s->value == "aws-global") return std::string("us-east-1");
  return s->value;
}

// A service's endpoint from the environment or the profile (see AwsConfig::s3_endpoint_url):
// `env_suffix` completes AWS_ENDPOINT_URL_ ("S3"), `key` names the services-section
// sub-section ("s3").
Result<std::optional<Setting>> ConfiguredEndpoint(const Environment& env, const ProfileRef& p,
                                                  const SharedConfig& shared,
                                                  std::string_view env_suffix,
                                                  std::string_view key) {
  Result<bool> ignore =
      LookupBool(env, p, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "ignore_configured_endpoint_urls");
  if (!ignore.ok()) return std::move(ignore).error();
  if (*ignore) return std::optional<Setting>();
  if (auto s = FromEnv(env, "AWS_ENDPOINT_URL_" + std::string(env_suffix))) return s;
  if (auto s = FromEnv(env, "AWS_ENDPOINT_URL")) return s;
  if (p.profile == nullptr) return std::optional<Setting>();
  if (const std::string* services = p.profile->Get("services")) {
    if (const Profile* section = shared.profiles.FindServices(Trim(*services))) {
      auto sub = section->SubProperties(key);
      auto it = sub.find("endpoint_url");
      if (it != sub.end() && !it->second.empty()) {
        return std::optional<Setting>(Setting{it->second, "services '" +
                                                              std::string(Trim(*services)) + "' " +
                                                              std::string(key) + " endpoint_url"});
      }
    }
  }
  auto sub = p.profile->SubProperties(key);
  if (auto it = sub.find("endpoint_url"); it != sub.end() && !it->second.empty()) {
    return std::optional<Setting>(
        Setting{it->second, "profile '" + p.name + "' " + std::string(key) + " endpoint_url"});
  }
  return FromProfile(p, "endpoint_url");
}

// The endpoint override for one service, normalised; empty when none is configured.
Status ResolveServiceEndpoint(const Environment& env, const ProfileRef& p,
                              const SharedConfig& shared, std::string_view env_suffix,
                              std::string_view key, std::string& url, std::string& source) {
  Result<std::optional<Setting>> configured = ConfiguredEndpoint(env, p, shared, env_suffix, key);
  if (!configured.ok()) return std::move(configured).error();
  if (!*configured) return Ok();
  Result<std::string> normal = NormalizeEndpointUrl((*configured)->value, (*configured)->source);
  if (!normal.ok()) return std::move(normal).error();
  url = std::move(*normal);
  source = (*configured)->source;
  return Ok();
}

// The length of an http(s) endpoint URL's scheme and host, or what is wrong with it.
Result<size_t> EndpointHostEnd(std::string_view url) {
  auto bad = [](std::string problem) { return Error(ErrorCode::kInvalidInput, problem); };
  for (char c : url) {
    if (!IsUriChar(c)) {
      return bad("invalid uri character '" + Printable(std::string_view(&c, 1)) + "'");
    }
  }
  std::string_view rest;
  if (IStartsWith(url, "http://")) {
    rest = url.substr(7);
  } else if (IStartsWith(url, "https://")) {
    rest = url.substr(8);
  } else {
    return bad("expected an http:// or https:// URL");
  }
  std::string_view host = rest.substr(0, rest.find_first_of("/?#"));
  if (host.empty() || host.find('@') != std::string_view::npos) {
    return bad("expected http(s)://host[:port]");
  }
  if (rest.find_first_of("?#") != std::string_view::npos)
    return bad("no query or fragment allowed");
  return url.size() - rest.size() + host.size();
}

}  // namespace

Status CheckRegion(std::string_view region) {
  if (region.size() > 63) return Error(ErrorCode::kInvalidInput, "too long for a region");
  for (char c : region) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return Error(ErrorCode::kInvalidInput, "a region has only a-z, 0-9 and '-'");
    }
  }
  return Ok();
}

Status CheckEndpointUrl(std::string_view url) {
  Result<size_t> end = EndpointHostEnd(url);
  if (!end.ok()) return std::move(end).error();
  return Ok();
}

Result<std::string> NormalizeEndpointUrl(std::string_view url, std::string_view what) {
  Result<size_t> scheme_and_host = EndpointHostEnd(url);
  if (!scheme_and_host.ok()) {
    return Error(ErrorCode::kInvalidInput, "invalid " + std::string(what) + " '" +
                                               Printable(RedactUrl(url), 200) +
                                               "': " + scheme_and_host.error().message());
  }
  std::string out(url);
  while (out.size() > *scheme_and_host && out.back() == '/') out.pop_back();
  return out;
}

Result<ImdsConfig> ResolveImdsConfig(const Environment& env, const SharedConfig& shared,
                                     const AwsConfigOverrides& o) {
  ProfileRef p{shared.Selected(), shared.profile_name};
  ImdsConfig c;
  if (o.imds_disabled) {
    c.disabled = *o.imds_disabled;
    if (c.disabled) c.disabled_reason = "disabled by an explicit setting";
  } else if (std::optional<std::string> v = env.GetNonBlank("AWS_EC2_METADATA_DISABLED");
             v && IEquals(*v, "true")) {
    c.disabled = true;
    c.disabled_reason = "AWS_EC2_METADATA_DISABLED is true";
  }

  // Endpoint: explicit > env > profile endpoint; then mode: explicit > env > profile > IPv4.
  std::optional<Setting> endpoint;
  if (o.imds_endpoint && !o.imds_endpoint->empty())
    endpoint = Setting{*o.imds_endpoint, "override"};
  if (!endpoint) {
    endpoint = Lookup(env, p, "AWS_EC2_METADATA_SERVICE_ENDPOINT", "ec2_metadata_service_endpoint");
  }
  std::optional<Setting> mode;
  if (o.imds_endpoint_mode && !o.imds_endpoint_mode->empty()) {
    mode = Setting{*o.imds_endpoint_mode, "override"};
  }
  if (!mode) {
    mode = Lookup(env, p, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
                  "ec2_metadata_service_endpoint_mode");
  }
  if (mode) {
    Result<ImdsEndpointMode> m = ParseMode(*mode);
    if (!m.ok()) return std::move(m).error();
    c.mode = *m;
  }
  if (endpoint) {
    Result<std::string> url = NormalizeEndpointUrl(endpoint->value, endpoint->source);
    if (!url.ok()) return std::move(url).error();
    c.endpoint = std::move(*url);
  } else {
    c.endpoint =
        std::string(c.mode == ImdsEndpointMode::kIPv6 ? kImdsIPv6Endpoint : kImdsIPv4Endpoint);
  }

  Result<bool> v1 = LookupBool(env, p, "AWS_EC2_METADATA_V1_DISABLED", "ec2_metadata_v1_disabled");
  if (!v1.ok()) return std::move(v1).error();
  c.v1_disabled = *v1;
  c.allow_v1 = o.imds_allow_v1.value_or(false);

  auto timeout =
      ParseTimeout(Lookup(env, p, "AWS_METADATA_SERVICE_TIMEOUT", "metadata_service_timeout"));
  if (!timeout.ok()) return std::move(timeout).error();
  c.timeout = *timeout;
  auto attempts = ParseAttempts(
      Lookup(env, p, "AWS_METADATA_SERVICE_NUM_ATTEMPTS", "metadata_service_num_attempts"));
  if (!attempts.ok()) return std::move(attempts).error();
  c.attempts = *attempts;
  return c;
}

Result<AwsConfig> LoadAwsConfig(const Environment& env, const AwsConfigOverrides& o) {
  Result<SharedConfig> shared = LoadSharedConfig(env, o.profile);
  if (!shared.ok()) return std::move(shared).error();
  AwsConfig cfg;
  cfg.shared = std::move(*shared);
  ProfileRef p{cfg.shared.Selected(), cfg.shared.profile_name};

  Result<std::string> region = ResolveRegion(env, p, o, cfg.region_source);
  if (!region.ok()) return std::move(region).error();
  cfg.region = std::move(*region);

  std::optional<Setting> endpoint;
  if (o.s3_endpoint_url && !o.s3_endpoint_url->empty()) {
    endpoint = Setting{*o.s3_endpoint_url, "override"};
  } else {
    Result<std::optional<Setting>> configured = ConfiguredEndpoint(env, p, cfg.shared, "S3", "s3");
    if (!configured.ok()) return std::move(configured).error();
    endpoint = std::move(*configured);
  }
  if (endpoint) {
    Result<std::string> url = NormalizeEndpointUrl(endpoint->value, endpoint->source);
    if (!url.ok()) return std::move(url).error();
    cfg.s3_endpoint_url = std::move(*url);
    cfg.s3_endpoint_source = endpoint->source;
  }

  Result<bool> fips = LookupBool(env, p, "AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint");
  if (!fips.ok()) return std::move(fips).error();
  cfg.use_fips_endpoint = *fips;
  Result<bool> dual = LookupBool(env, p, "AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint");
  if (!dual.ok()) return std::move(dual).error();
  cfg.use_dualstack_endpoint = *dual;

  if (Status st = ResolveServiceEndpoint(env, p, cfg.shared, "STS", "sts", cfg.sts_endpoint_url,
                                         cfg.sts_endpoint_source);
      !st.ok()) {
    return std::move(st).error();
  }
  if (Status st = ResolveServiceEndpoint(env, p, cfg.shared, "SSO", "sso", cfg.sso_endpoint_url,
                                         cfg.sso_endpoint_source);
      !st.ok()) {
    return std::move(st).error();
  }
  if (auto s = Lookup(env, p, "AWS_STS_REGIONAL_ENDPOINTS", "sts_regional_endpoints")) {
    if (IEquals(s->value, "legacy")) {
      cfg.sts_regional = false;
    } else if (!IEquals(s->value, "regional")) {
      return BadSetting(*s, "expected regional or legacy");
    }
  }

  if (Status st = ResolveRetries(env, p, cfg); !st.ok()) return std::move(st).error();

  Result<ImdsConfig> imds = ResolveImdsConfig(env, cfg.shared, o);
  if (!imds.ok()) return std::move(imds).error();
  cfg.imds = std::move(*imds);
  return cfg;
}

}  // namespace s3us::aws

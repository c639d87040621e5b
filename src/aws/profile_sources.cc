#include "aws/profile_sources.h"

#include <algorithm>
#include <charconv>

#include "core/strings.h"

namespace s3us::aws {
namespace {

std::string Quote(std::string_view profile) { return "profile '" + std::string(profile) + "'"; }

// The trimmed value, or empty when unset or blank.
std::string Value(const Profile& p, std::string_view key) {
  const std::string* v = p.Get(key);
  return v == nullptr ? std::string() : std::string(Trim(*v));
}

bool Has(const Profile& p, std::string_view key) { return !Value(p, key).empty(); }

Error Invalid(std::string_view profile, std::string message) {
  return Error(ErrorCode::kInvalidInput, Quote(profile) + " " + message);
}

constexpr size_t kMaxChain = 64;

class Resolver {
 public:
  Resolver(const SharedConfig& shared, const Environment& env, Clock::WallTime now)
      : shared_(shared), env_(env), now_(now) {}

  // `top`: the selected profile (the environment's web identity variables apply).
  Result<SourcePlan> Resolve(const std::string& name, bool top) {
    const Profile* p = shared_.profiles.FindProfile(name);
    if (p == nullptr) {
      if (top) {
        Result<std::optional<SourcePlan>> web = WebIdentity(nullptr, name, top);
        if (!web.ok()) return std::move(web).error();
        if (*web) return std::move(**web);
        return Error(ErrorCode::kNoCredentials, Quote(name) + " is not defined in any shared file");
      }
      return Error(ErrorCode::kInvalidInput,
                   "source_profile '" + name + "' is not defined in any shared file");
    }
    if (std::find(visited_.begin(), visited_.end(), name) != visited_.end()) {
      std::string cycle;
      for (const std::string& v : visited_) cycle += v + " -> ";
      return Invalid(visited_.front(), "has a source_profile cycle: " + cycle + name);
    }
    // Each hop is a recursion here and an STS call at run time: a chain of thousands in a
    // config file would overflow the stack. botocore stops near 1000 (Python's recursion
    // limit); no real chain comes near this.
    if (visited_.size() >= kMaxChain) {
      return Invalid(visited_.front(), "has a source_profile chain longer than " +
                                           std::to_string(kMaxChain) + " profiles");
    }
    visited_.push_back(name);
    bool assume = Has(*p, "role_arn") && !Has(*p, "web_identity_token_file");
    if (assume && (top || !HasKeys(*p))) return AssumeRole(*p, name);
    return Base(*p, name, top);
  }

 private:
  static bool HasKeys(const Profile& p) {
    return Has(p, "aws_access_key_id") || Has(p, "aws_secret_access_key");
  }

  Result<SourcePlan> AssumeRole(const Profile& p, const std::string& name) {
    if (Has(p, "mfa_serial")) {
      return Error(ErrorCode::kUnsupported,
                   Quote(name) +
                       " sets mfa_serial: an MFA code cannot be entered non-interactively; "
                       "use a profile without mfa_serial, or export credentials from a session");
    }
    Result<RoleStep> step = Step(p, name);
    if (!step.ok()) return std::move(step).error();
    std::string source_profile = Value(p, "source_profile");
    std::string credential_source = Value(p, "credential_source");
    if (!source_profile.empty() && !credential_source.empty()) {
      return Invalid(name, "sets both source_profile and credential_source");
    }
    SourcePlan plan;
    if (!credential_source.empty()) {
      plan.base.profile = name;
      if (IEquals(credential_source, "Environment")) {
        plan.base.kind = SourceKind::kEnvironment;
      } else if (IEquals(credential_source, "Ec2InstanceMetadata")) {
        plan.base.kind = SourceKind::kImds;
      } else if (IEquals(credential_source, "EcsContainer")) {
        plan.base.kind = SourceKind::kContainer;
      } else {
        return Invalid(name, "has credential_source '" + credential_source +
                                 "': expected Environment, Ec2InstanceMetadata or EcsContainer");
      }
    } else if (source_profile.empty()) {
      return Invalid(name, "sets role_arn but neither source_profile nor credential_source");
    } else if (source_profile == name) {
      // A profile naming itself assumes its role with its own keys.
      if (!HasKeys(p))
        return Invalid(visited_.front(), "has a source_profile cycle: " + name + " -> " + name);
      Result<Credentials> keys = StaticKeys(p, name);
      if (!keys.ok()) return std::move(keys).error();
      plan.base.kind = SourceKind::kStatic;
      plan.base.profile = name;
      plan.base.keys = std::move(*keys);
    } else {
      Result<SourcePlan> source = Resolve(source_profile, /*top=*/false);
      if (!source.ok()) {
        if (source.error().code() == ErrorCode::kNoCredentials) {
          return Invalid(name,
                         "names source_profile '" + source_profile + "', which has no credentials");
        }
        return source;
      }
      plan = std::move(*source);
    }
    plan.roles.push_back(std::move(*step));
    return plan;
  }

  Result<RoleStep> Step(const Profile& p, const std::string& name) {
    RoleStep step;
    step.profile = name;
    step.params.role_arn = Value(p, "role_arn");
    step.params.session_name = Value(p, "role_session_name");
    if (step.params.session_name.empty()) step.params.session_name = DefaultSessionName(now_);
    step.params.external_id = Value(p, "external_id");
    std::string duration = Value(p, "duration_seconds");
    if (!duration.empty()) {
      int seconds = 0;
      auto [end, ec] = std::from_chars(duration.data(), duration.data() + duration.size(), seconds);
      if (ec != std::errc() || end != duration.data() + duration.size() || seconds < 900 ||
          seconds > 43200) {
        return Invalid(name, "has duration_seconds '" + duration +
                                 "': expected a whole number of seconds from 900 to 43200");
      }
      step.params.duration_seconds = seconds;
    }
    return step;
  }

  // Web identity, IAM Identity Center, static keys, credential_process: the first present.
  Result<SourcePlan> Base(const Profile& p, const std::string& name, bool top) {
    Result<std::optional<SourcePlan>> web = WebIdentity(&p, name, top);
    if (!web.ok()) return std::move(web).error();
    if (*web) return std::move(**web);
    SourcePlan plan;
    plan.base.profile = name;
    if (Has(p, "sso_account_id") || Has(p, "sso_role_name")) {
      Result<SsoSettings> sso = Sso(p, name);
      if (!sso.ok()) return std::move(sso).error();
      plan.base.kind = SourceKind::kSso;
      plan.base.sso = std::move(*sso);
      return plan;
    }
    // Keys of the credentials file, then credential_process, then keys of the config file.
    bool process = Has(p, "credential_process");
    if (HasKeys(p) && (!process || p.from_credentials_file.count("aws_access_key_id") != 0)) {
      Result<Credentials> keys = StaticKeys(p, name);
      if (!keys.ok()) return std::move(keys).error();
      plan.base.kind = SourceKind::kStatic;
      plan.base.keys = std::move(*keys);
      return plan;
    }
    if (process) {
      plan.base.kind = SourceKind::kProcess;
      plan.base.command = Value(p, "credential_process");
      return plan;
    }
    std::string files;
    for (const std::string& f : p.files) files += (files.empty() ? "" : ", ") + f;
    return Error(ErrorCode::kNoCredentials,
                 Quote(name) + " (" + files + ") has no credentials (no aws_access_key_id, " +
                     "role_arn, web_identity_token_file, sso_* or credential_process)");
  }

  // The environment's variables count for the selected profile only (botocore: env first,
  // key by key).
  Result<std::optional<SourcePlan>> WebIdentity(const Profile* p, const std::string& name,
                                                bool top) {
    auto pick = [&](std::string_view var, std::string_view key, std::string& origin) {
      if (top) {
        if (std::optional<std::string> v = env_.GetNonBlank(var)) {
          origin = std::string(var);
          return *v;
        }
      }
      origin = Quote(name) + " " + std::string(key);
      return p == nullptr ? std::string() : Value(*p, key);
    };
    std::string file_origin, role_origin, session_origin;
    std::string file = pick("AWS_WEB_IDENTITY_TOKEN_FILE", "web_identity_token_file", file_origin);
    if (file.empty()) return std::optional<SourcePlan>();
    std::string role = pick("AWS_ROLE_ARN", "role_arn", role_origin);
    if (role.empty()) {
      return Error(ErrorCode::kInvalidInput,
                   file_origin + " names a web identity token file but " +
                       (top ? "neither AWS_ROLE_ARN nor " + Quote(name) + " role_arn is set"
                            : Quote(name) + " has no role_arn"));
    }
    SourcePlan plan;
    plan.base.kind = SourceKind::kWebIdentity;
    plan.base.profile = p == nullptr ? std::string() : name;
    plan.base.token_file = env_.ExpandHome(file);
    plan.base.origin = file_origin;
    plan.base.role.role_arn = role;
    plan.base.role.session_name =
        pick("AWS_ROLE_SESSION_NAME", "role_session_name", session_origin);
    if (plan.base.role.session_name.empty()) {
      plan.base.role.session_name = DefaultSessionName(now_);
    }
    return std::optional<SourcePlan>(std::move(plan));
  }

  Result<SsoSettings> Sso(const Profile& p, const std::string& name) {
    SsoSettings s;
    s.account_id = Value(p, "sso_account_id");
    s.role_name = Value(p, "sso_role_name");
    s.session_name = Value(p, "sso_session");
    s.start_url = Value(p, "sso_start_url");
    s.region = Value(p, "sso_region");
    if (!s.session_name.empty()) {
      auto it = shared_.profiles.sso_sessions.find(s.session_name);
      if (it == shared_.profiles.sso_sessions.end()) {
        return Invalid(name, "names sso_session '" + s.session_name +
                                 "', which no [sso-session] section defines");
      }
      for (auto [key, field] :
           {std::pair{"sso_start_url", &s.start_url}, std::pair{"sso_region", &s.region}}) {
        std::string v = Value(it->second, key);
        if (!field->empty() && !v.empty() && *field != v) {
          return Invalid(
              name, std::string("and sso-session '") + s.session_name + "' disagree on " + key);
        }
        if (!v.empty()) *field = v;
      }
    }
    std::string missing;
    for (auto [key, field] :
         {std::pair{"sso_start_url", &s.start_url}, std::pair{"sso_region", &s.region},
          std::pair{"sso_account_id", &s.account_id}, std::pair{"sso_role_name", &s.role_name}}) {
      if (field->empty()) missing += (missing.empty() ? "" : ", ") + std::string(key);
    }
    if (!missing.empty()) {
      return Invalid(name, "is set up for IAM Identity Center but lacks " + missing);
    }
    // The region becomes part of the portal's host name.
    if (!std::all_of(s.region.begin(), s.region.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        })) {
      return Invalid(name, "has sso_region '" + s.region + "': a region has only a-z, 0-9 and '-'");
    }
    return s;
  }

  static Result<Credentials> StaticKeys(const Profile& p, const std::string& name) {
    std::string id = Value(p, "aws_access_key_id");
    std::string secret = Value(p, "aws_secret_access_key");
    std::string files;
    for (const std::string& f : p.files) files += (files.empty() ? "" : ", ") + f;
    if (id.empty() || secret.empty()) {
      return Invalid(name, "(" + files + ") has " +
                               (id.empty() ? "aws_secret_access_key but no aws_access_key_id"
                                           : "aws_access_key_id but no aws_secret_access_key"));
    }
    Credentials c;
    c.access_key_id = std::move(id);
    c.secret_access_key = Secret(std::move(secret));
    std::string token = Value(p, "aws_session_token");
    if (!token.empty()) c.session_token = Secret(std::move(token));
    c.provider = "profile " + name;
    return c;
  }

  const SharedConfig& shared_;
  const Environment& env_;
  Clock::WallTime now_;
  std::vector<std::string> visited_;
};

}  // namespace

Result<SourcePlan> ResolveProfileSources(const SharedConfig& shared, const Environment& env,
                                         Clock::WallTime now) {
  return Resolver(shared, env, now).Resolve(shared.profile_name, /*top=*/true);
}

std::string SourceKindName(SourceKind kind) {
  switch (kind) {
    case SourceKind::kStatic:
      return "static keys";
    case SourceKind::kWebIdentity:
      return "web identity";
    case SourceKind::kSso:
      return "IAM Identity Center";
    case SourceKind::kProcess:
      return "credential_process";
    case SourceKind::kEnvironment:
      return "environment";
    case SourceKind::kContainer:
      return "container credentials";
    case SourceKind::kImds:
      return "instance role (IMDS)";
  }
  return "unknown";
}

}  // namespace s3us::aws

#include "expand/key_template.h"

#include <catch2/catch.hpp>

namespace s3us::expand {
namespace {

InstanceFacts Facts() {
  InstanceFacts f;
  f.role = "web";
  f.instance_id = "i-0123456789abcdef0";
  f.region = "eu-west-1";
  f.availability_zone = "eu-west-1b";
  f.account_id = "123456789012";
  f.instance_type = "m7g.large";
  return f;
}

TEST_CASE("ExpandKeyTemplate fills every variable in both spellings") {
  struct Case {
    const char* tmpl;
    const char* key;
  };
  const Case cases[] = {
      {kDefaultKeyTemplate, "web/user-script"},
      {"{role}/{instance_id}", "web/i-0123456789abcdef0"},
      {"{region}/{availability_zone}/{account_id}/{instance_type}",
       "eu-west-1/eu-west-1b/123456789012/m7g.large"},
      {"{{.Role}}/user-script", "web/user-script"},
      {"{{ .Role }}/{{.InstanceId}}/{{.Region}}", "web/i-0123456789abcdef0/eu-west-1"},
      {"{{.AvailabilityZone}}-{{.AccountId}}-{{.InstanceType}}",
       "eu-west-1b-123456789012-m7g.large"},
      {"static/key", "static/key"},
  };
  for (const Case& c : cases) {
    INFO(c.tmpl);
    Result<std::string> key = ExpandKeyTemplate(c.tmpl, Facts());
    REQUIRE(key.ok());
    CHECK(*key == c.key);
    CHECK(ValidateKeyTemplate(c.tmpl).ok());
  }
}

TEST_CASE("KeyTemplateUses names the variables a valid template reads") {
  CHECK(KeyTemplateUses("{role}/{instance_type}", "instance_type"));
  CHECK(KeyTemplateUses("x/{{.InstanceType}}", "instance_type"));
  CHECK_FALSE(KeyTemplateUses("{role}/user-script", "instance_type"));
  CHECK_FALSE(KeyTemplateUses("{instance_type", "instance_type"));
}

TEST_CASE("ExpandKeyTemplate rejects unknown variables and broken braces with kInvalidInput") {
  struct Case {
    const char* tmpl;
    const char* cause;
  };
  const Case cases[] = {
      {"{rolle}/user-script", "unknown variable {rolle}"},
      {"{{.Rolle}}", "unknown variable {{.Rolle}}"},
      {"{{Role}}", "unknown variable {{Role}}"},
      {"{role", "unclosed \"{\""},
      {"{{.Role}", "unclosed \"{{\""},
      {"  ", "is empty"},
  };
  for (const Case& c : cases) {
    INFO(c.tmpl);
    Result<std::string> key = ExpandKeyTemplate(c.tmpl, Facts());
    REQUIRE_FALSE(key.ok());
    CHECK(key.error().code() == ErrorCode::kInvalidInput);
    CHECK(key.error().message().find(c.cause) != std::string::npos);
    CHECK_FALSE(ValidateKeyTemplate(c.tmpl).ok());
  }
}

TEST_CASE("ExpandKeyTemplate refuses a variable the instance does not have") {
  InstanceFacts no_role = Facts();
  no_role.role.clear();
  Result<std::string> key = ExpandKeyTemplate(kDefaultKeyTemplate, no_role);
  REQUIRE_FALSE(key.ok());
  CHECK(key.error().code() == ErrorCode::kInvalidInput);
  CHECK(key.error().message() ==
        "key template \"{role}/user-script\": needs {role}, which is not known (no instance "
        "metadata; give --role)");
  CHECK(ValidateKeyTemplate(kDefaultKeyTemplate).ok());
}

}  // namespace
}  // namespace s3us::expand

#include "cli/legacy.h"

#include <catch2/catch.hpp>

#include "handlers/builtin.h"
#include "tests/run/run_test_util.h"

namespace s3us::cli {
namespace {

using testing::FetchedPart;

TEST_CASE(
    "The legacy -b takes one bucket name: nothing in it becomes another entry, an option or a "
    "key") {
  CHECK(CheckLegacyBucket("my-boot-bucket").ok());
  CHECK(CheckLegacyBucket("boot.example.com").ok());
  CHECK(CheckLegacyBucket("My_Boot_Bucket").ok());  // us-east-1, before 2018
  struct Row {
    std::string bucket, message;
  };
  const Row rows[] = {
      {"bkt-one\ns3://other/x.sh",
       "-b 'bkt-one\\x0as3://other/x.sh': a bucket name has no blanks or control characters"},
      {"bkt-one sha256=ff",
       "-b 'bkt-one sha256=ff': a bucket name has no blanks or control "
       "characters"},
      {"bkt-one/prefix",
       "-b 'bkt-one/prefix': a bucket name, not a path (-k gives the key, "
       "default '{{.Role}}/user-script')"},
      {"s3://bkt-one",
       "-b 's3://bkt-one': a bucket name, not a path (-k gives the key, default "
       "'{{.Role}}/user-script')"},
      {"bkt#x",
       "-b 'bkt#x': invalid bucket name 'bkt#x': only a-z, 0-9, '.' and '-' are "
       "allowed (also A-Z and '_' in a name from before March 2018)"},
  };
  for (const Row& row : rows) {
    INFO(row.bucket);
    Status checked = CheckLegacyBucket(row.bucket);
    REQUIRE_FALSE(checked.ok());
    CHECK(checked.error().code() == ErrorCode::kInvalidInput);
    CHECK(checked.error().message() == row.message);
  }
  CHECK(LegacyIncludeDocument("my-boot-bucket") == "#s3-include\ns3://my-boot-bucket\n");
}

TEST_CASE("The legacy -b's object must have a part that runs, else the reason is named") {
  run::Registry registry;
  REQUIRE(handlers::RegisterBuiltinHandlers(registry).ok());
  const std::string url = "s3://b/web-role/user-script";
  auto one = [&](std::string type, std::string payload) {
    expand::Plan plan;
    plan.parts.push_back(FetchedPart(1, std::move(type), url, std::move(payload)));
    return LegacyNothingToRun(plan, registry);
  };
  CHECK_FALSE(one("text/x-shellscript", "#!/bin/sh\n").has_value());
  CHECK_FALSE(one("text/cloud-boothook", "#cloud-boothook\n").has_value());
  CHECK_FALSE(one("application/x-executable",
                  "\x7f"
                  "ELF")
                  .has_value());
  CHECK(one("text/plain", "echo hi\n") == "not a script (no #! line)");
  CHECK(one("text/plain", "") == "an empty object");
  CHECK(one("text/plain", "\xEF\xBB\xBF#!/bin/sh\n") ==
        "not a script (a byte order mark before its #! line)");
  CHECK(one("text/cloud-config", "#cloud-config\n") ==
        "not a script (a cloud-config; -b runs a script)");
  CHECK(one("text/upstart-job", "#upstart-job\n") == "not a script (text/upstart-job)");

  expand::Plan plan;
  CHECK(LegacyNothingToRun(plan, registry) == "an empty object");
  plan.parts.push_back(FetchedPart(1, "text/cloud-config", url, "#cloud-config\n"));
  plan.parts.push_back(FetchedPart(2, "text/plain", url, "x"));
  CHECK(LegacyNothingToRun(plan, registry) ==
        "no part of it is a script (2 parts: text/cloud-config, text/plain)");
  plan.parts.push_back(FetchedPart(3, "text/x-shellscript", url, "#!/bin/sh\n"));
  CHECK_FALSE(LegacyNothingToRun(plan, registry).has_value());
}

TEST_CASE("The legacy -b's errors name the object and no flag -b mode refuses") {
  InstanceFacts facts;
  CHECK(LegacyObjectName("b", "{{.Role}}/user-script", facts) == "s3://b/{{.Role}}/user-script");
  Status no_role = CheckLegacyKeyFacts("{{.Role}}/user-script", facts);
  REQUIRE_FALSE(no_role.ok());
  CHECK(no_role.error().code() == ErrorCode::kNoCredentials);
  CHECK(no_role.error().message() ==
        "the instance has no IAM role (IMDS has no iam/security-credentials)");
  CHECK(CheckLegacyKeyFacts("boot/{instance_id}", facts).ok());
  facts.role = "web-role";
  CHECK(CheckLegacyKeyFacts("{{.Role}}/user-script", facts).ok());
  CHECK(LegacyObjectName("b", "{{.Role}}/user-script", facts) == "s3://b/web-role/user-script");

  std::vector<expand::ExpandFailure> failures = {
      {"part 1 line 2", "s3://b/web-role/user-script",
       Error(ErrorCode::kNotFound, "NoSuchKey")
           .WithContext("fetching s3://b/web-role/user-script")},
      {"part 1 line 2", "s3://b/web-role/user-script",
       Error(ErrorCode::kLimitExceeded, "the plan exceeds the limit of 1000 parts (--max-parts)")},
  };
  CHECK(LegacyFailureLines(failures) ==
        std::vector<std::string>{
            "fetching s3://b/web-role/user-script: NoSuchKey",
            "s3://b/web-role/user-script: the plan exceeds the limit of 1000 parts"});
  CHECK(LegacyAdvice("IMDSv2 token refused (HTTP 403): IMDS is disabled or IMDSv2 is not allowed "
                     "on this instance (IMDSv1 fallback is off; --allow-imdsv1 allows it)") ==
        "IMDSv2 token refused (HTTP 403): IMDS is disabled or IMDSv2 is not allowed on this "
        "instance (IMDSv1 fallback is off)");
}

TEST_CASE("The legacy -b's parts are named by the object, not by the document -b made") {
  expand::Plan plan;
  plan.parts.push_back(FetchedPart(1, "text/x-shellscript", "s3://b/r/user-script", "#!/bin/sh"));
  plan.parts.push_back(FetchedPart(2, "text/x-shellscript", "s3://b/r/nested", "#!/bin/sh"));
  plan.parts[1].origin.chain.push_back({1, 3, "s3://b/r/nested"});
  ForgetLegacyDocument(plan);
  CHECK(plan.parts[0].origin.chain.empty());
  CHECK(plan.parts[1].origin.chain.size() == 2);  // named by the object's own include line
}

}  // namespace
}  // namespace s3us::cli

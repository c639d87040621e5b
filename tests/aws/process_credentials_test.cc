#include "aws/process_credentials.h"

#include <catch2/catch.hpp>

#include "fakes/fake_clock.h"

namespace s3us::aws {
namespace {

using Words = std::vector<std::string>;

TEST_CASE("SplitCommandLine splits as botocore's shlex does, with no shell expansion") {
  CHECK(SplitCommandLine("/bin/helper --profile dev").value() ==
        Words{"/bin/helper", "--profile", "dev"});
  CHECK(SplitCommandLine("  a\t 'b c'  \"d \\\" e\" f\\ g $HOME;x  ").value() ==
        Words{"a", "b c", "d \" e", "f g", "$HOME;x"});
  CHECK(SplitCommandLine("x'y'\"z\"").value() == Words{"xyz"});
  CHECK(SplitCommandLine("'a\\b' \"c\\d\"").value() == Words{"a\\b", "c\\d"});
  CHECK(SplitCommandLine("a ''").value() == Words{"a", ""});
  for (const char* bad : {"", "   ", "'open", "\"open", "trailing\\"}) {
    INFO(bad);
    CHECK(SplitCommandLine(bad).error().code() == ErrorCode::kInvalidInput);
  }
}

TEST_CASE("ParseProcessOutput wants Version 1 and both keys, and never echoes the output") {
  Result<Credentials> ok = ParseProcessOutput(
      R"({"Version": 1, "AccessKeyId": "AKID", "SecretAccessKey": "s3cr3t",
          "SessionToken": "tok", "Expiration": "2015-08-30T13:16:00Z"})");
  REQUIRE(ok.ok());
  CHECK(ok->access_key_id == "AKID");
  CHECK(ok->session_token.reveal() == "tok");
  CHECK(ok->expiration.has_value());
  for (const char* bad :
       {"not json", R"({"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "s3cr3t"})",
        R"({"Version": 1, "AccessKeyId": "A"})",
        R"({"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "s3cr3t", "Expiration": "x"})"}) {
    INFO(bad);
    Result<Credentials> got = ParseProcessOutput(bad);
    REQUIRE_FALSE(got.ok());
    CHECK_THAT(got.error().ToString(), !Catch::Contains("s3cr3t"));
  }
}

TEST_CASE("ProcessCredentialProvider runs the program and reports its exit status") {
  testing::FakeClock clock;
  ProcessCredentialProvider ok(
      R"(/usr/bin/printf '{"Version": 1, "AccessKeyId": "AKIDP", "SecretAccessKey": "%s"}' 'x y')",
      "p", clock, {});
  Result<Credentials> got = ok.Get();
  REQUIRE(got.ok());
  CHECK(got->access_key_id == "AKIDP");
  CHECK(got->secret_access_key.reveal() == "x y");
  CHECK(got->provider == "credential_process (profile 'p')");
  Result<Credentials> failed = ProcessCredentialProvider("/bin/false", "p", clock, {}).Get();
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().ToString() ==
        "credential_process (profile 'p') /bin/false: exited with status 1");
  Result<Credentials> missing = ProcessCredentialProvider("/no/such/helper", "p", clock, {}).Get();
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.error().ToString(), Catch::Contains("cannot run it"));
}

TEST_CASE("ProcessCredentialProvider kills a helper at the deadline and bounds its output") {
  // The fake clock stands still: each wait for output lasts the whole deadline in real time,
  // so a helper that prints has that long to start and print (with 300 ms, one a loaded
  // machine held back that long was reported silent); the lingering one's deadline is also
  // how long it is waited for once its output closed.
  testing::FakeClock clock;
  auto fetch = [&](const std::string& command,
                   std::chrono::milliseconds deadline = std::chrono::milliseconds(300)) {
    return ProcessCredentialProvider(command, "p", clock, Deadline::After(clock, deadline)).Get();
  };
  Result<Credentials> silent = fetch("/bin/sleep 30");
  REQUIRE_FALSE(silent.ok());
  CHECK(silent.error().code() == ErrorCode::kTimeout);
  CHECK(silent.error().ToString() ==
        "credential_process (profile 'p') /bin/sleep: still running at the deadline; killed it");
  // Valid credentials, then stdout closed and the helper lingering: it used to be waited
  // for without end.
  Result<Credentials> lingering =
      fetch(R"(/bin/sh -c "printf '{\"Version\": 1, \"AccessKeyId\": \"A\", )"
            R"(\"SecretAccessKey\": \"s3cr3t\"}'; exec >&-; exec sleep 30")",
            std::chrono::seconds(3));
  REQUIRE_FALSE(lingering.ok());
  CHECK(lingering.error().code() == ErrorCode::kTimeout);
  CHECK_THAT(lingering.error().ToString(),
             Catch::Contains("closed its output but was still running at the deadline"));
  Result<Credentials> endless = fetch("/usr/bin/yes", std::chrono::seconds(20));
  REQUIRE_FALSE(endless.ok());
  CHECK(endless.error().code() == ErrorCode::kLimitExceeded);
  CHECK(endless.error().ToString() ==
        "credential_process (profile 'p') /usr/bin/yes: printed more than 64 KiB; killed it");
}

}  // namespace
}  // namespace s3us::aws

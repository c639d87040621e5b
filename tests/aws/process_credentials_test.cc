#include "aws/process_credentials.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "fakes/fake_clock.h"
#include "fakes/without_pidfd.h"

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

TEST_CASE("ParseProcessOutput refuses credential fields that would break a header") {
  for (const auto& [field, doc] : std::vector<std::pair<std::string, std::string>>{
           {"AccessKeyId", R"({"Version": 1, "AccessKeyId": "AKIA/../ X\u0001",
                               "SecretAccessKey": "s3cr3t"})"},
           {"AccessKeyId", R"({"Version": 1, "AccessKeyId": "AKIA.DOT", "SecretAccessKey": "s"})"},
           {"SecretAccessKey", R"({"Version": 1, "AccessKeyId": "AKIAPROCESS000000001",
                                   "SecretAccessKey": "s3cr3t with space"})"},
           {"SessionToken", R"({"Version": 1, "AccessKeyId": "AKIAPROCESS000000001",
                                "SecretAccessKey": "s3cr3t", "SessionToken": "t\r\nX-Evil: 1"})"}}) {
    INFO(doc);
    Result<Credentials> got = ParseProcessOutput(doc);
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().code() == ErrorCode::kInvalidInput);
    CHECK_THAT(got.error().ToString(), Catch::StartsWith("its output: " + field) &&
                                           !Catch::Contains("s3cr3t") &&
                                           !Catch::Contains("X-Evil"));
  }
}

TEST_CASE("ProcessCredentialProvider runs the program and reports its exit status") {
  testing::FakeClock clock;
  ProcessCredentialProvider ok(
      R"(/usr/bin/printf '{"Version": 1, "AccessKeyId": "AKIDP", "SecretAccessKey": "%s"}' 'x/y+z')",
      "p", clock, {});
  Result<Credentials> got = ok.Get();
  REQUIRE(got.ok());
  CHECK(got->access_key_id == "AKIDP");
  CHECK(got->secret_access_key.reveal() == "x/y+z");
  CHECK(got->provider == "credential_process (profile 'p')");
  Result<Credentials> failed = ProcessCredentialProvider("/bin/false", "p", clock, {}).Get();
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().ToString() ==
        "credential_process (profile 'p') /bin/false: exited with status 1 (its stderr is not "
        "shown: it may hold credentials; run it by hand)");
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

// A helper that starts `sleep 30` holding its stdout, writes the sleep's pid to a file,
// then prints `printed` and exits.
struct LeavesOneBehind {
  static inline int count = 0;
  std::string pid_file = (std::filesystem::temp_directory_path() /
                          ("s3us-left-" + std::to_string(getpid()) + "-" + std::to_string(++count)))
                             .string();
  ~LeavesOneBehind() { std::filesystem::remove(pid_file); }
  std::string Command(const std::string& printed) const {
    std::string quoted;  // inside the command line's "..."
    for (char c : printed) quoted += c == '"' ? std::string("\\\"") : std::string(1, c);
    return "/bin/sh -c \"sleep 30 & echo $! > " + pid_file + "; printf '%s' '" + quoted + "'\"";
  }
  // Whether the sleep has ended: its /proc entry is gone or a zombie's. Looked at every
  // 10 ms for up to 20 s, far above the time a SIGKILL takes, so a failure cannot hang.
  bool Ended() const {
    std::ifstream in(pid_file);
    pid_t pid = 0;
    if (!(in >> pid) || pid <= 0) return false;
    for (int i = 0; i < 2000; ++i) {
      std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
      std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
      size_t name_end = text.rfind(") ");
      if (name_end == std::string::npos || text[name_end + 2] == 'Z') return true;
      usleep(10000);
    }
    return false;
  }
};

TEST_CASE("ProcessCredentialProvider takes what the helper printed, not waiting for what it left") {
  // botocore's communicate() would wait for the sleep, which holds the pipe, for ever.
  testing::FakeClock clock;
  Deadline guard = Deadline::After(clock, std::chrono::seconds(20));
  LeavesOneBehind helper;
  Result<Credentials> got =
      ProcessCredentialProvider(
          helper.Command(R"({"Version": 1, "AccessKeyId": "AKIDL", "SecretAccessKey": "s"})"), "p",
          clock, guard)
          .Get();
  REQUIRE(got.ok());
  CHECK(got->access_key_id == "AKIDL");
  CHECK(helper.Ended());
  // Output that is not yet whole JSON when the helper exits: the rest may come from what it
  // started, as under botocore; here it never does, and the group is killed at the deadline
  // (far enough for the helper to have exited by then, even under load).
  LeavesOneBehind partial;
  Result<Credentials> cut =
      ProcessCredentialProvider(partial.Command(R"({"Version": 1,)"), "p", clock,
                                Deadline::After(clock, std::chrono::seconds(3)))
          .Get();
  REQUIRE_FALSE(cut.ok());
  CHECK(cut.error().code() == ErrorCode::kTimeout);
  CHECK(cut.error().ToString() ==
        "credential_process (profile 'p') /bin/sh: exited, but what it started kept its output "
        "open until the deadline; killed them");
  CHECK(partial.Ended());
  // The helper exits at once; what it started prints the credentials later, then ends.
  Result<Credentials> later =
      ProcessCredentialProvider(R"(/bin/sh -c "(sleep 0.2; printf '{\"Version\": 1, )"
                                R"(\"AccessKeyId\": \"AKIDB\", \"SecretAccessKey\": \"s\"}') &")",
                                "p", clock, guard)
          .Get();
  REQUIRE(later.ok());
  CHECK(later->access_key_id == "AKIDB");
}

TEST_CASE("ProcessCredentialProvider without pidfd_open (Linux < 5.3) reads and bounds as well") {
  int failed_step = testing::WithoutPidfd([]() -> int {
    testing::FakeClock clock;
    Deadline guard = Deadline::After(clock, std::chrono::seconds(20));
    LeavesOneBehind helper;
    Result<Credentials> got =
        ProcessCredentialProvider(
            helper.Command(R"({"Version": 1, "AccessKeyId": "AKIDL", "SecretAccessKey": "s"})"),
            "p", clock, guard)
            .Get();
    if (!got.ok() || got->access_key_id != "AKIDL") return 1;
    if (!helper.Ended()) return 2;
    Result<Credentials> silent =
        ProcessCredentialProvider("/bin/sleep 30", "p", clock,
                                  Deadline::After(clock, std::chrono::milliseconds(300)))
            .Get();
    if (silent.ok() || silent.error().code() != ErrorCode::kTimeout) return 3;
    Result<Credentials> failed = ProcessCredentialProvider("/bin/false", "p", clock, guard).Get();
    if (failed.ok() || failed.error().message().rfind("exited with status 1 ", 0) != 0) return 4;
    return 0;
  });
  CHECK(failed_step == 0);
}

}  // namespace
}  // namespace s3us::aws

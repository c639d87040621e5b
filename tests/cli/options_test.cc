#include "cli/options.h"

#include <catch2/catch.hpp>

#include "tests/cli/parse_words.h"

namespace s3us::cli {
namespace {

using testing::Parse;

TEST_CASE("no arguments is a usage error with one line") {
  auto r = Parse({});
  CHECK_FALSE(r.options);
  CHECK(r.exit_code == kExitUsage);
  CHECK(r.output == "s3-user-script: error: no command given (see s3-user-script help)");
}

TEST_CASE("the version flag prints the version and exits 0") {
  auto r = Parse({"--version"});
  CHECK_FALSE(r.options);
  CHECK(r.exit_code == kExitOk);
  CHECK(r.output.find(std::string("s3-user-script ") + S3US_VERSION) != std::string::npos);
}

TEST_CASE("the help flag lists every command and the exit codes") {
  auto r = Parse({"--help"});
  CHECK(r.exit_code == kExitOk);
  for (const char* word : {"run", "plan", "replay", "resolve", "status", "get", "Exit codes"}) {
    CHECK(r.output.find(word) != std::string::npos);
  }
}

TEST_CASE("each command help flag exits 0 with its own text") {
  for (const char* cmd : {"run", "plan", "replay", "resolve", "status", "get"}) {
    auto r = Parse({cmd, "--help"});
    CHECK(r.exit_code == kExitOk);
    CHECK(r.output.find(cmd) != std::string::npos);
  }
}

TEST_CASE("replay takes a file and the instance facts") {
  auto r = Parse({"replay", "ud.txt", "--dry-run", "--role", "web", "--instance-id", "i-1",
                  "--region", "eu-west-1", "--state-dir", "/tmp/s", "-vv", "--keep-going"});
  REQUIRE(r.options);
  const Options& o = *r.options;
  CHECK(o.command == Command::kReplay);
  CHECK(o.input == "ud.txt");
  CHECK(o.dry_run);
  CHECK(o.role == "web");
  CHECK(o.instance_id == "i-1");
  CHECK(o.region == "eu-west-1");
  CHECK(o.state_dir == "/tmp/s");
  CHECK(o.verbosity == 2);
  CHECK(o.keep_going);
}

TEST_CASE("replay without a file is a usage error") {
  auto r = Parse({"replay"});
  CHECK(r.exit_code == kExitUsage);
  CHECK(r.output.rfind("s3-user-script: error: ", 0) == 0);
  CHECK(r.output.find('\n') == std::string::npos);
}

TEST_CASE("plan reads stdin and limits accept sizes") {
  auto r = Parse({"plan", "-", "--json", "--max-parallel", "32", "--max-object-size", "1MiB",
                  "--key-template", "{{.Role}}/boot"});
  REQUIRE(r.options);
  CHECK(r.options->command == Command::kPlan);
  CHECK(r.options->input == "-");
  CHECK(r.options->json);
  CHECK(r.options->max_parallel == 32);
  CHECK(r.options->max_object_bytes == 1048576);
  CHECK(r.options->key_template == "{{.Role}}/boot");
}

TEST_CASE("out-of-range values are usage errors") {
  CHECK(Parse({"plan", "--max-parallel", "0"}).exit_code == kExitUsage);
  // As many requests in flight as a large include set needs (issue 16: N=512 at once), and
  // no more than a default RLIMIT_NOFILE of 1024 leaves room for.
  auto most = Parse({"plan", "-", "--max-parallel", "512"});
  REQUIRE(most.options);
  CHECK(most.options->max_parallel == 512);
  CHECK(Parse({"plan", "-", "--max-parallel", "513"}).exit_code == kExitUsage);
  CHECK(Parse({"run", "--deadline", "-1"}).exit_code == kExitUsage);
  CHECK(Parse({"run", "--bogus"}).exit_code == kExitUsage);
}

TEST_CASE("resolve and plan accept --on-instance; replay does not") {
  auto r = Parse({"resolve", "-", "--on-instance"});
  REQUIRE(r.options);
  CHECK(r.options->on_instance);
  CHECK(Parse({"plan", "x", "--on-instance"}).options->on_instance);
  CHECK(Parse({"replay", "x", "--on-instance"}).exit_code == kExitUsage);
}

TEST_CASE("the predecessor's flags select the legacy command") {
  auto r = Parse({"-b", "my-bucket"});
  REQUIRE(r.options);
  CHECK(r.options->command == Command::kLegacy);
  CHECK(r.options->bucket == "my-bucket");
  CHECK(r.options->key_template == "{role}/user-script");
  CHECK(r.options->endpoint_url.empty());

  auto custom = Parse({"-b", "b", "-k", "{{.Role}}/boot.sh", "-u", "http://127.0.0.1:9000", "-v"});
  REQUIRE(custom.options);
  CHECK(custom.options->key_template == "{{.Role}}/boot.sh");
  CHECK(custom.options->endpoint_url == "http://127.0.0.1:9000");
  CHECK(custom.options->verbosity == 1);
}

TEST_CASE("legacy flags with a command are refused") {
  CHECK(Parse({"-b", "x", "run"}).exit_code == kExitUsage);
}

// The predecessor's go-flags: `-b=X` is `-b X` (it was the bucket "=X"), `-bX` too, and a
// flag given twice takes its last value (it was a usage error).
TEST_CASE("the predecessor's flags take go-flags spellings, the last one winning") {
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"-b=bkt"}, {"-bbkt"}, {"-b", "bkt"}, {"--bucket=bkt"}, {"-b", "other", "-b=bkt"}}) {
    INFO(args.front());
    auto r = Parse(args);
    REQUIRE(r.options);
    CHECK(r.options->command == Command::kLegacy);
    CHECK(r.options->bucket == "bkt");
  }
  auto r = Parse({"--bucket", "bkt", "-k={{.Role}}/a=b.sh", "-u=http://127.0.0.1:9000", "-k",
                  "{{.Role}}/boot.sh", "-v"});
  REQUIRE(r.options);
  CHECK(r.options->key_template == "{{.Role}}/boot.sh");
  CHECK(r.options->endpoint_url == "http://127.0.0.1:9000");
  auto with_equals = Parse({"-b", "bkt", "-k={{.Role}}/a=b.sh"});
  REQUIRE(with_equals.options);
  CHECK(with_equals.options->key_template == "{{.Role}}/a=b.sh");
  // Only the predecessor's flags: the commands still refuse a flag given twice.
  CHECK(Parse({"plan", "-", "--region", "a", "--region", "b"}).exit_code == kExitUsage);
}

TEST_CASE("an empty bucket is named as such, not as a missing command") {
  for (std::vector<std::string> args :
       std::vector<std::vector<std::string>>{{"-b", ""}, {"-b="}, {"-b", "bkt", "-b", ""}}) {
    auto r = Parse(args);
    CHECK(r.exit_code == kExitUsage);
    CHECK(r.output == "s3-user-script: error: -b needs a bucket name (s3-user-script -b BUCKET)");
  }
}

TEST_CASE("help is listed among the commands, and help --help is help help") {
  // `help --help` was "help: unknown command '--help'; did you mean help?".
  auto help = Parse({"help", "--help"});
  CHECK(help.exit_code == kExitOk);
  CHECK(help.output.rfind("The list of commands, or the help of COMMAND", 0) == 0);
  CHECK(help.output.find("Usage: s3-user-script help [OPTIONS] [command]") != std::string::npos);
  CHECK(Parse({"help", "help"}).output == help.output);
  CHECK(Parse({"help", "-h"}).output == help.output);
  std::string top = Parse({"--help"}).output;
  CHECK(Parse({"help"}).output == top);
  CHECK(top.find("\n  help                        The list of commands") != std::string::npos);
}

TEST_CASE("status and validate --help end with their own exit codes") {
  std::string status = Parse({"status", "--help"}).output;
  CHECK(status.find("Exit codes: 0 the last run succeeded (or one is running), 1 it failed") !=
        std::string::npos);
  std::string validate = Parse({"validate", "--help"}).output;
  CHECK(validate.find("Exit codes: 0 valid, 2 usage, 3 FILE unreadable, 4 invalid") !=
        std::string::npos);
  for (const std::string& text : {status, validate}) {
    CHECK(text.find("1 a part failed") == std::string::npos);
  }
}

TEST_CASE("get parses destinations, mode and pins") {
  auto r = Parse(
      {"get", "s3://b/k", "-o", "/tmp/x", "--mode", "0640", "--sha256", std::string(64, 'a')});
  REQUIRE(r.options);
  CHECK(r.options->command == Command::kGet);
  CHECK(r.options->urls == std::vector<std::string>{"s3://b/k"});
  CHECK(r.options->output == "/tmp/x");
  CHECK(r.options->mode == 0640);

  CHECK(Parse({"get", "s3://b/k", "--mode", "999"}).exit_code == kExitUsage);
  CHECK(Parse({"get", "s3://b/k", "--sha256", "ab"}).exit_code == kExitUsage);
  CHECK(Parse({"get", "s3://b/a", "s3://b/b", "-o", "-"}).exit_code == kExitUsage);
  CHECK(Parse({"get", "s3://b/a", "-o", "x", "-d", "y"}).exit_code == kExitUsage);
  auto many = Parse({"get", "s3://b/a", "s3://b/b", "-d", "/tmp/d"});
  REQUIRE(many.options);
  CHECK(many.options->urls.size() == 2);
}

TEST_CASE("ParseMode accepts octal forms only") {
  CHECK(ParseMode("0600") == mode_t{0600});
  CHECK(ParseMode("755") == mode_t{0755});
  CHECK(ParseMode("0o700") == mode_t{0700});
  CHECK_FALSE(ParseMode("8"));
  CHECK_FALSE(ParseMode("01777"));
  CHECK_FALSE(ParseMode(""));
}

}  // namespace
}  // namespace s3us::cli

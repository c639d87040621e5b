#include "cli/signing_command.h"

#include <sys/stat.h>
#include <unistd.h>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "cli/exit_codes.h"
#include "cli/options.h"
#include "cli/trust_config.h"
#include "tests/cli/parse_words.h"
#include "tests/trust/test_keys.h"

namespace s3us::cli {
namespace {

using testing::Parse;

TEST_CASE("sign and verify parse their files and flags") {
  auto sign = Parse({"sign", "boot.sh", "--key", "id_ed25519"});
  REQUIRE(sign.options);
  CHECK(sign.options->command == Command::kSign);
  CHECK(sign.options->input == "boot.sh");
  CHECK(sign.options->signing_key == "id_ed25519");
  CHECK(sign.options->deadline_seconds == 300);
  auto bounded = Parse({"sign", "boot.sh", "--key", "k", "--deadline", "5"});
  REQUIRE(bounded.options);
  CHECK(bounded.options->deadline_seconds == 5);
  for (const char* bad : {"0", "86401", "soon"}) {
    CHECK(Parse({"sign", "boot.sh", "--key", "k", "--deadline", bad}).exit_code == kExitUsage);
  }
  auto verify = Parse(
      {"verify", "boot.sh", "--allowed-signers", "a", "--signature", "s", "--principal", "p@x"});
  REQUIRE(verify.options);
  CHECK(verify.options->command == Command::kVerify);
  CHECK(verify.options->allowed_signers == "a");
  CHECK(verify.options->signature_file == "s");
  CHECK(verify.options->principal == "p@x");
  CHECK(Parse({"sign", "boot.sh"}).exit_code == kExitUsage);
  CHECK(Parse({"verify", "boot.sh"}).exit_code == kExitUsage);
}

struct Files {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("s3us-verify-" + std::to_string(::getpid()));
  Files() { std::filesystem::create_directories(dir); }
  ~Files() { std::filesystem::remove_all(dir); }
  std::string Write(const std::string& name, const std::string& text) {
    std::ofstream(dir / name, std::ios::binary) << text;
    return (dir / name).string();
  }
};

TEST_CASE("verify exits 0 on a good signature, 4 on a refused one, 3 on a bad trust file") {
  using namespace trust::testing;
  Files f;
  Options o;
  o.command = Command::kVerify;
  o.input = f.Write("boot.sh", kMessage);
  f.Write("boot.sh.sig", kEd25519Signature);
  o.allowed_signers = f.Write("allowed", std::string("deploy@example.com ") + kEd25519Pub + "\n");
  CHECK(RunVerify(o) == kExitOk);
  o.principal = "other@example.com";
  CHECK(RunVerify(o) == kExitFetch);
  o.principal.clear();
  f.Write("boot.sh", std::string(kMessage) + "tampered\n");
  CHECK(RunVerify(o) == kExitFetch);
  o.signature_file = (f.dir / "missing.sig").string();
  CHECK(RunVerify(o) == kExitFetch);
  o.allowed_signers =
      f.Write("bad", "deploy@example.com cert-authority " + std::string(kEd25519Pub) + "\n");
  CHECK(RunVerify(o) == kExitSetup);
}

TEST_CASE("LoadTrust: the named file, else the system file when present, else no trust") {
  using namespace trust::testing;
  Files f;
  Options o;
  std::string system = (f.dir / "system").string();
  auto none = LoadTrust(o, system);
  REQUIRE(none.ok());
  CHECK_FALSE(*none);
  f.Write("system", std::string("ops@example.com ") + kEd25519Pub + "\n");
  auto sys = LoadTrust(o, system);
  REQUIRE((sys.ok() && *sys));
  CHECK((*sys)->entries().size() == 1);
  o.allowed_signers = f.Write("empty", "# nobody\n");
  CHECK(LoadTrust(o, system).error().message() == o.allowed_signers + " lists no signer");
  o.allowed_signers = (f.dir / "missing").string();
  CHECK_FALSE(LoadTrust(o, system).ok());
}

TEST_CASE("LoadTrust: only nothing at the system path means no trust") {
  using namespace trust::testing;
  Files f;
  Options o;
  const std::string system = (f.dir / "system").string();
  // Each refused, naming the path and why: never taken for "no trust configured".
  std::filesystem::create_symlink(f.dir / "elsewhere", system);
  CHECK(LoadTrust(o, system).error().ToString() ==
        "allowed signers " + system + ": no such file " + (f.dir / "elsewhere").string());
  std::filesystem::remove(system);
  std::filesystem::create_symlink(system, system);
  CHECK(LoadTrust(o, system).error().ToString() ==
        "allowed signers " + system + ": cannot open " + system + ": " + std::strerror(ELOOP));
  std::filesystem::remove(system);
  REQUIRE(mkfifo(system.c_str(), 0600) == 0);
  CHECK(LoadTrust(o, system).error().ToString() ==
        "allowed signers " + system + ": " + system + " is not a regular file");
}

TEST_CASE("LoadTrust refuses a trust file others could change, named or at the system path") {
  using namespace trust::testing;
  Files f;
  Options o;
  const std::string system = f.Write("system", std::string("ops@example.com ") + kEd25519Pub);
  ::chmod(system.c_str(), 0666);
  CHECK(LoadTrust(o, system).error().ToString() ==
        "allowed signers " + system + ": " + system + " is writable by group or others");
  o.allowed_signers = f.Write("named", std::string("ops@example.com ") + kEd25519Pub);
  ::chmod(o.allowed_signers.c_str(), 0664);
  auto named = LoadTrust(o, system);
  REQUIRE_FALSE(named.ok());
  CHECK(named.error().code() == ErrorCode::kUnsafePath);
  CHECK(ExitCodeFor(named.error().code()) == kExitSetup);
  ::chmod(o.allowed_signers.c_str(), 0644);
  CHECK(LoadTrust(o, system).ok());
}

}  // namespace
}  // namespace s3us::cli

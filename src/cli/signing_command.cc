#include "cli/signing_command.h"

#include <spawn.h>
#include <sys/wait.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>

#include "cli/exit_codes.h"
#include "cli/usage_errors.h"
#include "core/child.h"
#include "core/files.h"
#include "trust/allowed_signers.h"
#include "trust/sshsig.h"
#include "trust/verify.h"

extern char** environ;

namespace s3us::cli {
namespace {

// Runs argv[0] from PATH with our stdin/stdout/stderr; the exit status, or -1.
int Spawn(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  DefaultSignalsAttr signals;
  if (posix_spawnp(&pid, argv[0], nullptr, signals.get(), argv.data(), environ) != 0) return -1;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string Describe(const trust::Signer& s) {
  return s.principal + " (" + s.fingerprint + " " + s.key_type + ")";
}

}  // namespace

SigningCommands AddSigningCommands(CLI::App& app, Options& o, const FillIf& fill) {
  SigningCommands c;
  c.sign = app.add_subcommand("sign",
                              "Sign FILE with an SSH key (ssh-keygen -Y sign), "
                              "writing FILE.sig for upload beside it");
  c.verify = app.add_subcommand("verify", "Check FILE's SSH signature offline, as a boot would");
  if (fill(*c.sign)) {
    c.sign->add_option("file", o.input, "File to sign")->required();
    c.sign->add_option("--key", o.signing_key, "Private key (or its .pub with an agent)")
        ->required();
  }
  if (!fill(*c.verify)) return c;
  c.verify->add_option("file", o.input, "Signed file")->required();
  c.verify->add_option("--allowed-signers", o.allowed_signers, "OpenSSH allowed_signers file")
      ->required();
  c.verify->add_option("--signature", o.signature_file, "Signature (default: FILE.sig)");
  c.verify->add_option("--principal", o.principal, "Required signer (default: any trusted one)");
  c.verify
      ->add_option("--deadline", o.deadline_seconds,
                   "Seconds to wait for an input that is a pipe or FIFO")
      ->check(WholeNumber(1, 86400, "seconds"))
      ->type_name("SECONDS");
  return c;
}

// ssh-keygen asks before overwriting FILE.sig and, reading no answer, keeps the stale one
// and still exits 0; so it signs a link to FILE in a private directory, and the fresh
// signature replaces FILE.sig atomically.
int RunSign(const Options& o) {
  auto fail = [&](const std::string& why) {
    PrintError("sign: " + o.input + ": " + why);
    return kExitSetup;
  };
  std::error_code ec;
  std::filesystem::path target = std::filesystem::absolute(o.input, ec);
  if (ec || !std::filesystem::is_regular_file(target, ec)) return fail("not a regular file");
  if (!std::filesystem::exists(o.signing_key, ec)) return fail("no key file " + o.signing_key);
  // ssh-keygen would wait for ever on a FIFO nobody writes to.
  if (!std::filesystem::is_regular_file(o.signing_key, ec)) {
    return fail("key " + o.signing_key + " is not a regular file");
  }
  auto dir = MakePrivateTempDir("s3us-sign-");
  if (!dir.ok()) return fail(dir.error().ToString());
  std::string link = *dir + "/" + target.filename().string();
  std::filesystem::create_symlink(target, link, ec);
  int rc = ec ? -2
              : Spawn({"ssh-keygen", "-q", "-Y", "sign", "-n", std::string(trust::kNamespace), "-f",
                       o.signing_key, link});
  auto text = ReadFile(link + ".sig", trust::kMaxArmoredSignatureBytes);
  std::filesystem::remove_all(*dir, ec);
  if (rc == -2) return fail("cannot link it into " + *dir);
  if (rc == -1) return fail("cannot run ssh-keygen (install openssh-client)");
  if (rc != 0) return fail("ssh-keygen -Y sign failed (exit " + std::to_string(rc) + ")");
  auto sig =
      text.ok() ? trust::ParseArmoredSignature(*text) : Result<trust::SshSignature>(text.error());
  auto key = sig.ok() ? trust::PublicKey::FromBlob(sig->public_key)
                      : Result<trust::PublicKey>(sig.error());
  if (!key.ok()) return fail("ssh-keygen wrote no usable signature: " + key.error().ToString());
  auto out = AtomicFile::Create(o.input + ".sig", 0644);
  Status written = out.ok() ? out->Write(*text) : Status(out.error());
  if (written.ok()) written = out->Commit();
  if (!written.ok()) return fail(written.error().ToString());
  std::cout << "signed " << o.input << ": " << o.input << ".sig by " << key->Fingerprint() << " "
            << key->short_name() << "\n";
  return kExitOk;
}

int RunVerify(const Options& o) {
  Clock& clock = SystemClock::Get();
  const Deadline deadline = Deadline::After(clock, std::chrono::seconds(o.deadline_seconds));
  auto trust_text = ReadFile(o.allowed_signers, trust::kMaxAllowedSignersBytes, deadline, clock);
  if (!trust_text.ok()) {
    PrintError("verify: " + trust_text.error().WithContext(o.allowed_signers).ToString());
    return kExitSetup;
  }
  auto signers = trust::AllowedSigners::Parse(*trust_text, o.allowed_signers);
  if (!signers.ok()) {
    PrintError("verify: " + signers.error().ToString());
    return kExitSetup;
  }
  std::string sig_path = o.signature_file.empty() ? o.input + ".sig" : o.signature_file;
  auto message = ReadFile(o.input, o.max_object_bytes, deadline, clock);
  if (!message.ok()) {
    PrintError("verify: " + message.error().WithContext(o.input).ToString());
    return kExitSetup;
  }
  auto signature = ReadFile(sig_path, trust::kMaxArmoredSignatureBytes, deadline, clock);
  if (!signature.ok()) {
    PrintError("verify: " + o.input + ": " + signature.error().WithContext(sig_path).ToString());
    return kExitFetch;
  }
  trust::VerifyRequest req;
  req.message = *message;
  req.armored_signature = *signature;
  if (!o.principal.empty()) req.principal = o.principal;
  req.now = static_cast<int64_t>(std::time(nullptr));
  auto signer = trust::VerifySignature(*signers, req);
  if (!signer.ok()) {
    PrintError("verify: " + o.input + ": " + signer.error().ToString());
    return kExitFetch;
  }
  std::cout << o.input << ": good signature by " << Describe(*signer) << "\n";
  return kExitOk;
}

}  // namespace s3us::cli

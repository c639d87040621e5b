#include "cli/signing_command.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iostream>

#include "cli/exit_codes.h"
#include "cli/usage_errors.h"
#include "core/child.h"
#include "core/files.h"
#include "core/private_paths.h"
#include "core/strings.h"
#include "trust/allowed_signers.h"
#include "trust/sshsig.h"
#include "trust/verify.h"

extern char** environ;

namespace s3us::cli {
namespace {

// What ssh-keygen printed when it loaded an encrypted key with the empty passphrase.
constexpr std::string_view kWrongPassphrase = "incorrect passphrase supplied to decrypt";

struct Keygen {
  int spawn_error = 0;
  bool killed = false;
  int status = 0;
  std::string said;  // its last line on stdout or stderr
};

// Our environment with SSH_ASKPASS_REQUIRE=never: no ssh-askpass window to wait on.
std::vector<std::string> NoAskpassEnvironment() {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::string_view(*e).rfind("SSH_ASKPASS_REQUIRE=", 0) != 0) env.emplace_back(*e);
  }
  env.emplace_back("SSH_ASKPASS_REQUIRE=never");
  return env;
}

// Runs ssh-keygen until `deadline`, then kills it with what it started. In a session of
// its own (no terminal to prompt on), stdin /dev/null and no askpass: a passphrase is never
// asked for, so an encrypted key not in an agent fails at once. Its output goes to `log`.
Keygen RunKeygen(const std::vector<std::string>& argv, const std::string& log,
                 const Deadline& deadline) {
  posix_spawn_file_actions_t io;
  posix_spawn_file_actions_init(&io);
  posix_spawn_file_actions_addopen(&io, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&io, 1, log.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  posix_spawn_file_actions_adddup2(&io, 1, 2);
  std::vector<std::string> env = NoAskpassEnvironment();
  std::vector<char*> envp;
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  Keygen k;
  HelperProcess keygen;
  k.spawn_error = keygen.Start(argv, &io, HelperProcess::Group::kSession, envp.data());
  posix_spawn_file_actions_destroy(&io);
  if (k.spawn_error != 0) return k;
  k.status = keygen.Finish(deadline, SystemClock::Get(), k.killed);
  Result<std::string> text = ReadFile(log, 1 << 16);
  std::string_view rest = text.ok() ? std::string_view(*text) : std::string_view();
  while (!rest.empty() && (rest.back() == '\n' || rest.back() == '\r')) rest.remove_suffix(1);
  rest = rest.substr(rest.find_last_of('\n') + 1);
  constexpr std::string_view kPrompt = "Enter passphrase: ";
  if (rest.rfind(kPrompt, 0) == 0) rest.remove_prefix(kPrompt.size());
  k.said = Printable(rest);
  return k;
}

// The reason for a failed ssh-keygen, or "" when it signed.
std::string Failure(const Keygen& k, const std::string& key) {
  if (k.spawn_error == ENOENT) return "cannot run ssh-keygen (install openssh-client)";
  if (k.spawn_error != 0) return std::string("cannot run ssh-keygen: ") + strerror(k.spawn_error);
  if (k.killed) return "ssh-keygen -Y sign still running at the deadline; killed it";
  if (WIFEXITED(k.status) && WEXITSTATUS(k.status) == 0) return "";
  if (k.said.find(kWrongPassphrase) != std::string::npos) {
    return "key " + key +
           " is passphrase-protected; add it to ssh-agent (ssh-add) or use a key without one";
  }
  std::string how = WIFEXITED(k.status) ? "exit " + std::to_string(WEXITSTATUS(k.status))
                                        : "signal " + std::to_string(WTERMSIG(k.status));
  return "ssh-keygen -Y sign failed (" + how + ")" + (k.said.empty() ? "" : ": " + k.said);
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
  // Their own codes, not the root's (which name parts and user data).
  c.sign->footer(
      "Exit codes: 0 FILE.sig written, 2 usage, 3 FILE or the key unusable, or ssh-keygen failed "
      "or was killed at the deadline.");
  c.verify->footer(
      "Exit codes: 0 a good signature by a trusted signer, 2 usage, 3 an input unreadable or "
      "allowed_signers malformed, 4 the signature refused (one line naming FILE and why).");
  if (fill(*c.sign)) {
    c.sign->add_option("file", o.input, "File to sign")->required();
    c.sign->add_option("--key", o.signing_key, "Private key (or its .pub with an agent)")
        ->required();
    c.sign
        ->add_option("--deadline", o.deadline_seconds,
                     "Seconds ssh-keygen may take (an agent, a security key); then it is killed")
        ->check(WholeNumber(1, 86400, "seconds"))
        ->type_name("SECONDS");
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
  Clock& clock = SystemClock::Get();
  const Deadline deadline = Deadline::After(clock, std::chrono::seconds(o.deadline_seconds));
  auto dir = MakePrivateTempDir("s3us-sign-");
  if (!dir.ok()) return fail(dir.error().ToString());
  std::string link = *dir + "/" + target.filename().string();
  std::filesystem::create_symlink(target, link, ec);
  if (ec) {
    std::filesystem::remove_all(*dir, ec);
    return fail("cannot link it into " + *dir);
  }
  Keygen k = RunKeygen({"ssh-keygen", "-q", "-Y", "sign", "-n", std::string(trust::kNamespace),
                        "-f", o.signing_key, link},
                       *dir + "/ssh-keygen.log", deadline);
  auto text = ReadFile(link + ".sig", trust::kMaxArmoredSignatureBytes);
  std::filesystem::remove_all(*dir, ec);
  if (std::string why = Failure(k, o.signing_key); !why.empty()) return fail(why);
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

#include "fetch/signed_fetcher.h"

#include <chrono>
#include <future>

#include "core/secret.h"
#include "trust/sshsig.h"
#include "trust/verify.h"

namespace s3us::fetch {

std::string SignatureUrl(std::string_view url) {
  return std::string(url.substr(0, url.find('?'))) + ".sig";
}

Result<FetchedObject> SignedFetcher::Fetch(const Target& target, const FetchOptions& options) {
  std::string_view url = target.url;
  if (signers_ == nullptr && options.signers == nullptr) {
    if (!options.signer) return inner_.Fetch(target, options);
    return Error(ErrorCode::kInvalidInput,
                 "signer=" + *options.signer +
                     " asks for a signature, but no allowed signers are configured")
        .WithContext("fetching " + RedactUrl(url));
  }
  // Either list may vouch for the object: they are alternatives, as lines of one file are.
  trust::AllowedSigners both;
  const trust::AllowedSigners* signers = signers_ ? signers_ : options.signers;
  if (signers_ != nullptr && options.signers != nullptr) {
    both.Append(*signers_);
    both.Append(*options.signers);
    signers = &both;
  }
  FetchOptions sig_options;
  sig_options.max_bytes = trust::kMaxArmoredSignatureBytes;
  sig_options.deadline = options.deadline;
  std::string sig_url = SignatureUrl(url);
  auto signature = std::async(std::launch::async, [this, &sig_url, &sig_options] {
    return inner_.Fetch(sig_url, sig_options);
  });
  // The signature covers the whole message: it is checked in memory, and only a body that
  // passed goes on to the caller's sink.
  FetchOptions in_memory = options;
  in_memory.sink = nullptr;
  Result<FetchedObject> fetched = inner_.Fetch(target, in_memory);
  Result<FetchedObject> sig = signature.get();
  if (!fetched.ok()) return fetched;
  if (!sig.ok()) {
    return Error(ErrorCode::kIntegrity, "no usable signature: " + sig.error().ToString());
  }
  trust::VerifyRequest req;
  req.message = fetched->body;
  req.armored_signature = sig->body;
  req.principal = options.signer;
  req.now =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count();
  Result<trust::Signer> signer = trust::VerifySignature(*signers, req);
  if (!signer.ok()) {
    return std::move(signer).error().WithContext("signature " + RedactUrl(sig_url));
  }
  if (options.sink != nullptr) {
    net::Response head;
    head.status = 200;
    Status passed = options.sink->Begin(head);
    if (passed.ok()) passed = options.sink->Write(fetched->body);
    if (!passed.ok()) return std::move(passed.error()).WithContext("fetching " + RedactUrl(url));
    fetched->body = std::string();
  }
  std::string& evidence = fetched->source.verified_by;
  evidence += (evidence.empty() ? "" : ", ") + std::string("ssh signature by ") +
              signer->principal + " (" + signer->fingerprint + " " + signer->key_type + ")";
  return fetched;
}

}  // namespace s3us::fetch

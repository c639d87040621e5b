#include "fetch/signed_fetcher.h"

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <optional>

#include "core/log.h"
#include "core/secret.h"
#include "trust/sshsig.h"
#include "trust/verify.h"

namespace s3us::fetch {
namespace {

// ".sig" after the path of a plain URL: before its query, which is kept; the fragment is
// never sent, so it is no part of either name.
std::string PlainSignatureUrl(std::string_view url) {
  url = url.substr(0, url.find('#'));
  size_t query = url.find('?');
  if (query == std::string_view::npos) return std::string(url) + ".sig";
  return std::string(url.substr(0, query)) + ".sig" + std::string(url.substr(query));
}

std::string VersionOf(const Target& target, const FetchOptions& options) {
  if (!options.version_id.empty()) return options.version_id;
  return target.s3.ok() ? target.s3->version_id : std::string();
}

// Passes the body on to the caller's sink as it streams (a file in the private work
// directory, a temporary file of `get`) and hashes it for the signature check, so a signed
// body is never held whole in memory. The caller uses nothing of it unless Fetch succeeds.
class HashingSink : public net::BodySink {
 public:
  explicit HashingSink(net::BodySink& inner) : inner_(inner) {}
  Status Begin(const net::Response& head) override { return inner_.Begin(head); }
  Status Write(std::string_view chunk) override {
    hasher_.Update(chunk);
    return inner_.Write(chunk);
  }
  Status Reset() override {
    hasher_.Reset();
    return inner_.Reset();
  }
  trust::MessageDigests Finish() { return hasher_.Finish(); }

 private:
  net::BodySink& inner_;
  trust::MessageHasher hasher_;
};

}  // namespace

Target SignatureTarget(const Target& object) {
  // Not an S3 object: a plain URL, or one whose own fetch fails on what it names.
  if (!object.s3.ok() || !object.s3->has_key()) return ResolveTarget(PlainSignatureUrl(object.url));
  s3::S3Location location = *object.s3;
  location.version_id.clear();
  Target sig;
  sig.route = Route::kS3;
  sig.s3 = s3::WithKey(std::move(location), object.s3->key + ".sig");
  sig.url = sig.s3.ok() ? sig.s3->ToS3Url() : object.s3->ToS3Url() + ".sig";
  return sig;
}

const trust::AllowedSigners* SignedFetcher::SignersFor(const FetchOptions& options,
                                                       trust::AllowedSigners& both) const {
  // Either list may vouch for the object: they are alternatives, as lines of one file are.
  if (signers_ == nullptr || options.signers == nullptr) {
    return signers_ ? signers_ : options.signers;
  }
  both.Append(*signers_);
  both.Append(*options.signers);
  return &both;
}

trust::VerifyRequest SignedFetcher::Request(std::string_view signature,
                                            const FetchOptions& options) const {
  trust::VerifyRequest req;
  req.armored_signature = signature;
  req.principal = options.signer;
  req.now =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count();
  return req;
}

Result<std::string> SignedFetcher::Verify(const trust::AllowedSigners& signers,
                                          std::string_view body, std::string_view signature,
                                          const FetchOptions& options,
                                          const trust::MessageDigests* digests) const {
  trust::VerifyRequest req = Request(signature, options);
  req.message = body;
  req.digests = digests;
  Result<trust::Signer> signer = trust::VerifySignature(signers, req);
  if (!signer.ok()) return signer.error();
  return "ssh signature by " + signer->principal + " (" + signer->fingerprint + " " +
         signer->key_type + ")";
}

Result<std::optional<std::string>> SignedFetcher::VerifyKept(std::string_view body,
                                                             std::string_view signature,
                                                             const FetchOptions& options) {
  if (signers_ == nullptr && options.signers == nullptr) {
    if (!options.signer) return std::optional<std::string>();
    return Error(ErrorCode::kInvalidInput, "signer=" + *options.signer +
                                               " asks for a signature, but no allowed signers "
                                               "are configured");
  }
  if (signature.empty()) return Error(ErrorCode::kIntegrity, "no signature was kept");
  trust::AllowedSigners both;
  Result<std::string> evidence = Verify(*SignersFor(options, both), body, signature, options);
  if (!evidence.ok()) return evidence.error();
  return std::optional<std::string>(std::move(*evidence));
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
  trust::AllowedSigners both;
  const trust::AllowedSigners* signers = SignersFor(options, both);

  // Both fetches or neither: the first to fail stops the other's deadline, and its own
  // failure is the one reported. A signature by a key no one trusts counts as the signature
  // failing: the body is not read on.
  enum Who { kNobody, kObject, kSignature, kUntrusted };
  auto stop = std::make_shared<std::atomic<bool>>(false);
  std::atomic<int> first_failure{kNobody};
  auto failed = [&](Who who) {
    int none = kNobody;
    first_failure.compare_exchange_strong(none, who);
    stop->store(true);
  };
  FetchOptions sig_options;
  sig_options.max_bytes = trust::kMaxArmoredSignatureBytes;
  sig_options.deadline = options.deadline.StoppedBy(stop);
  const Target sig_target = SignatureTarget(target);
  std::optional<Error> untrusted;
  auto signature = std::async(std::launch::async, [&] {
    Result<FetchedObject> got = inner_.Fetch(sig_target, sig_options);
    if (!got.ok()) {
      failed(kSignature);
    } else if (Result<trust::Signer> admitted =
                   trust::CheckSigner(*signers, Request(got->body, options));
               !admitted.ok()) {
      untrusted = std::move(admitted).error();
      failed(kUntrusted);
    }
    return got;
  });
  // The signature covers the whole message: a caller's sink gets the body as it streams,
  // hashed on the way, and is emptied unless the signature verifies; without one the body
  // comes back in memory and is checked there.
  FetchOptions object_options = options;
  object_options.deadline = options.deadline.StoppedBy(stop);
  std::optional<HashingSink> hashing;
  if (options.sink != nullptr) object_options.sink = &hashing.emplace(*options.sink);
  Result<FetchedObject> fetched = inner_.Fetch(target, object_options);
  if (!fetched.ok()) failed(kObject);
  Result<FetchedObject> sig = signature.get();
  const std::string sig_name = RedactUrl(sig_target.url);
  // Nothing of a body that did not verify stays with the caller.
  auto refuse = [&](Error error) -> Result<FetchedObject> {
    if (options.sink != nullptr) {
      if (Status s = options.sink->Reset(); !s.ok()) LogWarning(s.error().ToString());
    }
    return error;
  };
  if (first_failure == kSignature || (fetched.ok() && !sig.ok())) {
    return refuse(Error(ErrorCode::kIntegrity, "no usable signature: " + sig.error().ToString()));
  }
  if (first_failure == kUntrusted || (fetched.ok() && untrusted)) {
    return refuse(std::move(*untrusted).WithContext("signature " + sig_name));
  }
  if (!fetched.ok()) return refuse(std::move(fetched).error());

  std::optional<trust::MessageDigests> digests;
  if (hashing) digests = hashing->Finish();
  Result<std::string> evidence =
      Verify(*signers, fetched->body, sig->body, options, digests ? &*digests : nullptr);
  if (!evidence.ok()) {
    Error error = std::move(evidence).error();
    // A pinned version is checked against the signature's latest version only.
    std::string version = VersionOf(target, options);
    if (error.code() == ErrorCode::kIntegrity && !version.empty()) {
      std::string sig_key = sig_target.s3.ok() ? sig_target.s3->key : sig_name;
      error = Error(error.code(), error.message() + "; the signature is " + sig_key +
                                      "'s latest version; it does not sign version " + version);
    }
    return refuse(std::move(error).WithContext("signature " + sig_name));
  }
  std::string& shown = fetched->source.verified_by;
  shown += (shown.empty() ? "" : ", ") + *evidence;
  fetched->signature = std::move(sig->body);
  return fetched;
}

}  // namespace s3us::fetch

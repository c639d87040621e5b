// libFuzzer target: the SSHSIG armour and blob parsers, SSH key parsing, EVP verification and
// the allowed_signers parser on arbitrary bytes must return a value or an error: no crash,
// hang or unbounded memory. Seeds: fuzz/seeds/sshsig (real ssh-keygen signatures of every key
// type, made over kMessage by the keys listed in kTrusted, and allowed_signers files).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "trust/allowed_signers.h"
#include "trust/sshsig.h"
#include "trust/verify.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

constexpr char kMessage[] = "#!/bin/sh\necho signed boot material\n";
constexpr char kTrusted[] =
    "deploy@example.com ssh-ed25519 "
    "AAAAC3NzaC1lZDI1NTE5AAAAIOZMqS53kt+T5x8gt7gy9q/smt6suIjlLEBTh0c4tNww\n"
    "deploy@example.com ecdsa-sha2-nistp256 "
    "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBJSzd71Jl9x73djOns0vVlzz/"
    "bEakfh5vagk5sGb+8zLE2Y0xr3+kYUV0f4vSHsOjWctwnlp1/xR4gKMHy+fmk8=\n"
    "deploy@example.com ecdsa-sha2-nistp384 "
    "AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBOZtRHKyPYvJESreaaEGaUp7bXJ++"
    "JDqFMNCVXowgn0zvXdxGFXbG6hFdWa7dWmmCxNxZ2eDkmirS4HV8LhvQhsChhBwap8krj82eIRRuFlaLG7YoGxe0bSBL1K"
    "/jJdRJw==\n"
    "deploy@example.com ecdsa-sha2-nistp521 "
    "AAAAE2VjZHNhLXNoYTItbmlzdHA1MjEAAAAIbmlzdHA1MjEAAACFBAErtc5RcEplCduVFbmI/fxkqJtMHVPOP3Yemu/"
    "crL31ukyE6Egrclpbs+hXLfNYWjW6AHBf3zpyfq8n5wclYhYGagD5ACbh8A2JovYgzQ54W0kbBMAxiVDJtE0+"
    "4aADVjpIoVCesALx8wUqHVwFbXBLwDTR7V6kycJ4lF8oJy/sEUPsww==\n"
    "deploy@example.com ssh-rsa "
    "AAAAB3NzaC1yc2EAAAADAQABAAABAQDBNqSKztxQ7eM6mGKfFuiq8FXntfA/F6EL3EZSjQqbBB9SqFD4JfR4Xf/"
    "pu93w4WfnxpW2TEdlstdTh0+/tCp5OWnZ3X+dHSAwL/pBr/"
    "gPYSfCJUdEazUnTVzaNU+IVRrL1vQKFLKsqnWenN2gfn7drWhD3hyghmJvY7vmhUuZEL2jzi/"
    "PrK4v1GePjH9N6GsRWsgepjrkL0CtGBu39uw5cia4O55d8sjWBEROpiNVk9dpL9Iz0M/nLNns0egGPVcvs9YuF/"
    "3eWA3U+QeUvBxlrKfJJ2CASKLFbyJNot+nmZVGQ68fhhAsFNNJtGP4+nwHxLSxj0iPeofguFNxV8Gr\n"
    "deploy@example.com ssh-rsa "
    "AAAAB3NzaC1yc2EAAAADAQABAAABgQDKCyY3w7irTySA2gtGN7dp0JK68NaKzWeCzIaS6Fn+"
    "Q1if4CsY95HiFZopebYNuY/"
    "l3H4aoSwHZvhCHbStPK8jNRUE4UXL0Rx2lBaqpCvvILWRfq+ScSUVob06RLWCtdpKrdlWJ+"
    "U79cy4ROnQM2jOrqxVeAxSA03OJbNMzFqb5nzQdY9vhsEkZiGLFp/"
    "sZ7kF7QDA2jQkmJRla0HhhoFys2eeroXyJapE4APUFMEcnhlYAIbgrtHvRFuSzpjepbzD46aAbmym4ADYCvdXca+H+"
    "uyENqLr5yRdlLx3/VliZiVO0HJHUA+yhjW1HMXm4L9o/"
    "Wzoy9YnnWad7kcvhxmUrcnISP82td8X4e9PmekUXTdgHbKDCr9teDeTQ66hM2JI8CfQUv0+36fS+"
    "UTaRRbbJc0hZlH160hyatYmz1gUYuHnUP8rMJa+cuzroddOTGq/"
    "UDL3bAMWJ0mx3eCu94PRZaOy41RyINoEnWoPvowCfTipqxrqdTzsyT6LkoaKXjc=\n";

const s3us::trust::AllowedSigners& Trusted() {
  static const auto signers = s3us::trust::AllowedSigners::Parse(kTrusted, "trusted");
  Check(signers.ok());
  return *signers;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace s3us::trust;
  std::string_view input(reinterpret_cast<const char*>(data), size);

  auto signers = AllowedSigners::Parse(input, "fuzz");
  if (signers.ok()) {
    for (const auto& e : signers->entries()) {
      Check(!e.origin.empty() && e.key.Fingerprint().starts_with("SHA256:"));
    }
  } else {
    Check(!signers.error().message().empty());
  }

  auto blob = ParseSignatureBlob(input);
  if (blob.ok()) Check(blob->hash_algorithm == "sha256" || blob->hash_algorithm == "sha512");

  VerifyRequest req;
  req.message = kMessage;
  req.armored_signature = input;
  req.principal = (size % 2) == 0 ? std::optional<std::string>("deploy@example.com") : std::nullopt;
  req.now = 1767225600;
  auto signer = VerifySignature(Trusted(), req);
  if (signer.ok()) Check(signer->fingerprint.starts_with("SHA256:"));
  return 0;
}

#!/usr/bin/env bash
# Installs every Debian 12 package the project needs to build, test, run the
# emulators and benchmarks. Idempotent: quiet and offline when nothing is missing.
set -euo pipefail

packages=(
  # build
  g++ cmake make pkg-config
  libcurl4-openssl-dev libssl-dev libmagic-dev libmagic-mgc libmimetic-dev zlib1g-dev
  nlohmann-json3-dev libcli11-dev libyaml-cpp-dev libyaml-dev catch2
  # checks and fuzzing
  clang clang-format libclang-rt-14-dev
  # emulators, differential tests, benchmarks
  python3 python3-botocore cloud-init awscli curl hyperfine time file valgrind
  # the Debian package and its test (tests/package)
  dpkg-dev lintian man-db bash-completion systemd
  # signed boot material: real ssh-keygen for sign/verify and the differential test
  openssh-client python3-cryptography
  # the JSON Schema of --json output (tests/e2e/json_schema_test.py)
  python3-jsonschema
  # a self-signed certificate for the TLS test (tests/e2e/tls_test.py)
  openssl
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

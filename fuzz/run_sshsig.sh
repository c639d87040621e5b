#!/usr/bin/env bash
# Builds fuzz/sshsig_fuzzer (libFuzzer + ASan + UBSan, same flags as fuzz/run.sh) in
# build-fuzz/ and runs it for N seconds (default 300), seeded from fuzz/seeds/sshsig.
# New inputs go to build-fuzz/corpus-sshsig; crashes to build-fuzz/artifacts/.
#   fuzz/run_sshsig.sh [SECONDS] [extra libFuzzer flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-300}"
shift || true
build=build-fuzz
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1"
CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DS3US_BUILD_FUZZERS=ON \
  -DS3US_BUILD_TESTS=OFF -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
cmake --build "$build" -j2 --target sshsig_fuzzer >/dev/null
mkdir -p "$build/corpus-sshsig" "$build/artifacts"
exec "$build/fuzz/sshsig_fuzzer" -max_total_time="$seconds" -max_len=20000 -timeout=10 \
  -rss_limit_mb=2048 -artifact_prefix="$build/artifacts/" -print_final_stats=1 "$@" \
  "$build/corpus-sshsig" fuzz/seeds/sshsig

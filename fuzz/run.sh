#!/usr/bin/env bash
# Builds fuzz/parse_fuzzer with clang (libFuzzer + ASan + UBSan) in build-fuzz/ and runs it
# for N seconds (default 300), seeded from tests/data/userdata and 200 MIME documents from
# Python's email writer (tests/userdata/generate_mime.py). New inputs go to a scratch corpus
# under build-fuzz/; crashes to build-fuzz/artifacts/.
#   fuzz/run.sh [SECONDS] [extra libFuzzer flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-300}"
shift || true
build=build-fuzz
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1"
CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DS3US_BUILD_FUZZERS=ON \
  -DS3US_BUILD_TESTS=OFF -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
cmake --build "$build" -j2 --target parse_fuzzer >/dev/null
mkdir -p "$build/corpus" "$build/artifacts" "$build/seeds"
/usr/bin/python3 tests/userdata/generate_mime.py "$build/seeds" 1 200
exec "$build/fuzz/parse_fuzzer" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
  -rss_limit_mb=2048 -artifact_prefix="$build/artifacts/" -print_final_stats=1 "$@" \
  "$build/corpus" tests/data/userdata "$build/seeds"

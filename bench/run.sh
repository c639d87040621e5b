#!/usr/bin/env bash
# Benchmarks against what users run today (see bench/README.md).
#   bench/run.sh [--quick] [--binary PATH] [--out FILE] [--reps K] [--big-mib M]
# Builds build/release/s3-user-script first when no --binary is given and it is missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
binary=""
args=("$@")
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary="${2:?--binary needs a path}"; shift 2 ;;
    --binary=*) binary="${1#--binary=}"; shift ;;
    *) shift ;;
  esac
done
if [ -z "$binary" ]; then
  binary="$root/build/release/s3-user-script"
  if [ ! -x "$binary" ]; then
    echo "bench: building $binary" >&2
    cmake -S "$root" -B "$root/build/release" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$root/build/release" -j2 --target s3-user-script >/dev/null
  fi
  args+=(--binary "$binary")
fi
# Debian's python3 (pyenv's may come first on PATH and lacks python3-botocore).
exec /usr/bin/python3 "$root/bench/bench.py" "${args[@]}"

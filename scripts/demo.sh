#!/usr/bin/env bash
# The first thing to run. Installs what is missing (Debian 12, via scripts/setup.sh), builds
# s3-user-script (Release, in build/release), starts the bundled loopback IMDS and S3
# emulators serving examples/s3 as the bucket contents, then for every example in examples/
# shows the user data, the plan and a replay into a scratch state directory, and what the
# scripts left behind. Nothing outside one temporary directory is touched: cloud-config
# parts go to a temporary --cloud-config-dir, never /etc. Exits non-zero if any example
# does not behave as described in examples/README.md.
#   ./scripts/demo.sh           run it
#   ./scripts/demo.sh --keep    keep the temporary directory to look around afterwards
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
keep=0
[ "${1:-}" = "--keep" ] && keep=1

if [ -t 1 ]; then
  b=$'\e[1m' d=$'\e[2m' g=$'\e[32m' r=$'\e[31m' n=$'\e[0m'
else
  b="" d="" g="" r="" n=""
fi
say() { printf '%s\n' "$*"; }
title() { printf '\n%s== %s ==%s\n' "$b" "$*" "$n"; }
cmd() { printf '%s$ %s%s\n' "$d" "$*" "$n"; }
indent() { sed 's/^/    /'; }

# --- 1. set-up and build -----------------------------------------------------------------
# A cold build takes minutes on a small machine: say what is happening, with elapsed time.
started=$SECONDS
stage() { printf '%s[%4ds]%s %s\n' "$d" $((SECONDS - started)) "$n" "$*"; }
# build_step CMD...: runs CMD into the build log, showing each compile and link as it starts.
build_step() {
  "$@" 2>&1 | tee -a "$build_log" | while IFS= read -r line; do
    case $line in
      *"Building CXX object"* | *"Linking CXX"*)
        line=${line/Building CXX object CMakeFiles\/*.dir\//compiling }
        stage "  ${line%.o}"
        ;;
    esac
  done
  return "${PIPESTATUS[0]}"
}
build_failed() {
  tail -n 40 "$build_log" >&2
  say "${r}demo: the build failed (full log: $build_log)${n}" >&2
  exit 1
}

title "Setting up (apt-get only if a package is missing) and building build/release"
stage "checking Debian packages (scripts/setup.sh)"
./scripts/setup.sh
mkdir -p build/release
build_log=build/release/demo-build.log
: >"$build_log"
stage "configuring (cmake, Release; full log in $build_log)"
build_step cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release || build_failed
stage "building s3-user-script on $(nproc) cores (unchanged files are skipped)"
build_step cmake --build build/release -j"$(nproc)" --target s3-user-script || build_failed
stage "built"
export PATH="$root/build/release:$PATH"
say "built $(s3-user-script --version) at build/release/s3-user-script"

# --- 2. emulators --------------------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/s3-user-script-demo.XXXXXX")
serve_pid=""
cleanup() {
  if [ -n "$serve_pid" ]; then
    kill -TERM "$serve_pid" 2>/dev/null || true
    wait "$serve_pid" 2>/dev/null || true
  fi
  if [ "$keep" = 1 ]; then say "kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

title "Starting the loopback IMDS and S3 emulators (examples/s3 is the bucket contents)"
/usr/bin/python3 scripts/emulators/harness.py serve --dir "$work/emulators" \
  --objects examples/s3 >"$work/emulators.env" 2>"$work/emulators.err" &
serve_pid=$!
for _ in $(seq 300); do
  grep -q '^export AWS_SHARED_CREDENTIALS_FILE=' "$work/emulators.env" 2>/dev/null && break
  if ! kill -0 "$serve_pid" 2>/dev/null; then
    cat "$work/emulators.err" >&2
    say "${r}demo: the emulators did not start${n}" >&2
    exit 1
  fi
  sleep 0.1
done
# Only the AWS variables: the endpoints, and no real credentials or profiles.
eval "$(grep -E '^(unset|export AWS_)' "$work/emulators.env")"
say "IMDS at $AWS_EC2_METADATA_SERVICE_ENDPOINT (role web-role, instance i-0123456789abcdef0)"
say "S3   at $AWS_ENDPOINT_URL_S3 (bucket demo-bucket)"
say "everything the demo writes goes under $work"

# --- 3. examples ---------------------------------------------------------------------------
passed=0
failed=()
total=0

# miss NAME WHAT: records (and shows) an expectation the example did not meet.
miss() {
  failed+=("$1: $2")
  say "${r}  ✗ $2${n}"
}

# example FILE TRAIL_LINES: plan + replay FILE, then check it ran every part and left
# TRAIL_LINES lines in demo/trail.log (each script appends one line).
example() {
  local file=$1 want_trail=$2 name state cc tmp rc trail lines before
  name=${file%.*}
  state=$work/$name/state
  cc=$work/$name/cloud.cfg.d
  tmp=$work/$name/tmp
  mkdir -p "$tmp"
  total=$((total + 1))
  before=${#failed[@]}

  title "Example $total: examples/$file"
  # The user data as the instance would get it (its opening comments say what it shows).
  head -n 12 "examples/$file" | indent
  lines=$(wc -l <"examples/$file")
  [ "$lines" -le 12 ] || say "${d}    … ($lines lines in all: examples/$file)${n}"

  say ""
  cmd "s3-user-script plan examples/$file"
  if ! s3-user-script plan "examples/$file" 2>&1 | indent; then
    miss "$file" "plan failed"
  fi

  say ""
  cmd "s3-user-script replay examples/$file --state-dir $state --cloud-config-dir $cc"
  set +e
  TMPDIR=$tmp s3-user-script replay "examples/$file" --state-dir "$state" \
    --cloud-config-dir "$cc" >"$work/$name/out" 2>&1
  rc=$?
  set -e
  indent <"$work/$name/out"
  [ "$rc" -eq 0 ] || miss "$file" "replay exited $rc, expected 0"
  s3-user-script status --state-dir "$state" >/dev/null 2>&1 ||
    miss "$file" "status says the run failed"

  # Example 5's script runs `s3-user-script -b`, whose own work directory is under its TMPDIR.
  trail=$(find "$state" "$tmp" -path '*/demo/trail.log' 2>/dev/null | head -n 1)
  say ""
  say "  what the scripts left behind (in order):"
  if [ -n "$trail" ]; then
    indent <"$trail"
    lines=$(wc -l <"$trail")
  else
    lines=0
  fi
  [ "$lines" -eq "$want_trail" ] || miss "$file" "$lines scripts left a trace, expected $want_trail"
  if [ -d "$cc" ] && [ -n "$(ls -A "$cc")" ]; then
    say "  cloud-config handed to cloud-init (would be /etc/cloud/cloud.cfg.d):"
    ls "$cc" | indent
  fi
  if [ "${#failed[@]}" -eq "$before" ]; then
    passed=$((passed + 1))
    say "${g}  ✓ $file behaved${n}"
  fi
}

example 01-s3-include.txt 3
example 02-mixed-mime.txt 3
example 03-nested.txt 3
example 04-pinned.txt 1
example 05-predecessor.sh 1

title "And when an object is not what the user data pinned"
tampered=$work/tampered-pin.txt
sed 's/sha256=[0-9a-f]*/sha256=0000000000000000000000000000000000000000000000000000000000000000/' \
  examples/04-pinned.txt >"$tampered"
cmd "s3-user-script replay tampered-pin.txt --state-dir $work/tampered/state"
set +e
s3-user-script replay "$tampered" --state-dir "$work/tampered/state" 2>&1 | indent
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" -eq 4 ] && [ ! -e "$work/tampered/state/demo" ]; then
  say "${g}  ✓ refused with exit 4 before running anything${n}"
else
  miss "tampered pin" "exit $rc (expected 4, nothing run)"
fi

# --- summary -------------------------------------------------------------------------------
say ""
if [ "${#failed[@]}" -eq 0 ]; then
  say "${b}${g}demo: $passed of $total examples ran as described," \
    "and the tampered pin was refused${n}"
  exit 0
fi
for f in "${failed[@]}"; do say "${r}demo: $f${n}" >&2; done
say "${b}${r}demo: $passed of $total examples ran as described; ${#failed[@]} problem(s) above${n}"
exit 1

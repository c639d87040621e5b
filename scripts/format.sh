#!/usr/bin/env bash
# clang-format every C++ file in the tree; --check only reports files that differ.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.h' '*.cc' | while read -r f; do [ -f "$f" ] && echo "$f"; done)
[ ${#files[@]} -eq 0 ] && exit 0
if [ "${1:-}" = "--check" ]; then
  if ! clang-format --dry-run -Werror "${files[@]}" 2>/tmp/s3us-format.$$; then
    grep -o '^[^:]*\.\(h\|cc\)' /tmp/s3us-format.$$ | sort -u | sed 's/^/not clang-formatted: /' >&2
    rm -f /tmp/s3us-format.$$
    echo "run ./scripts/format.sh to fix" >&2
    exit 1
  fi
  rm -f /tmp/s3us-format.$$
else
  clang-format -i "${files[@]}"
fi

#!/usr/bin/env bash
# clang-format every C++ file in the tree; --check only reports files that differ.
set -euo pipefail
cd "$(dirname "$0")/.."
# The tracked and new sources when this is a git checkout; else (an exported tree) every
# source under the tree's own folders. A check that found nothing to check must not pass.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.h' '*.cc' | while read -r f; do [ -f "$f" ] && echo "$f"; done)
else
  mapfile -t files < <(find src tests handlers fuzz bench -name '*.h' -o -name '*.cc' 2>/dev/null | sort)
fi
if [ ${#files[@]} -eq 0 ]; then
  echo "format.sh: no C++ sources found" >&2
  exit 1
fi
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

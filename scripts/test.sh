#!/usr/bin/env bash
# The project's one gate: set-up, clang-format check, a warnings-as-errors build, and every
# test (unit + end-to-end against the loopback emulators) through ctest; with CI=true also
# scripts/sanitize.sh (sanitizers and fuzzing).
#   ./scripts/test.sh                 everything
#   ./scripts/test.sh -R userdata     pass arguments on to ctest
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh

./scripts/format.sh --check

# The tree under test is built as the package is (docs/packaging.md: Release, prefix /usr,
# Debian's flags), so package.deb packages the binary every other test ran instead of
# building a third tree. The handler directory is the package's (an older tree cached
# /usr/local's).
build=${S3US_BUILD_DIR:-build/test}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
  -DS3US_DEBIAN_FLAGS=ON -DS3US_CLOUDINIT_HANDLER_DIR= -DS3US_WERROR=ON >/dev/null
cmake --build "$build" -j "$(nproc)" 2>&1 | grep -Ev '^\[ *[0-9]+%\] (Building|Linking)|^Consolidate|^Scanning|Built target' || true
cmake --build "$build" -j "$(nproc)" >/dev/null  # fail here if the build failed
(cd "$build" && ctest --output-on-failure -j "$(nproc)" --timeout 600 -LE bench "$@")

# In CI (CI=true, as CI services set it), also the ASan+UBSan tree: the unit tests, the
# libFuzzer smoke tests and the hostile-input end-to-end tests (scripts/sanitize.sh).
if [ "${CI:-}" = true ]; then
  ./scripts/sanitize.sh
fi

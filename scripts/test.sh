#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test:
#   1. release build, warnings as errors: unit, integration (ballastd) and
#      reference (the same integration tests against nats-server) suites;
#   2. AddressSanitizer + UndefinedBehaviorSanitizer build: unit and
#      integration suites;
#   3. a short, bounded libFuzzer run of every fuzz target.
# FUZZ_SECONDS (default 30) bounds each fuzz target.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export BALLAST_WERROR=1
bash "$root/scripts/install-deps.sh"

echo "== release build"
dir=$(bash "$root/scripts/build.sh" RelWithDebInfo | tail -n 1)
echo "== unit, integration and reference tests"
(cd "$dir" && ctest --output-on-failure -j2 --timeout 300)

echo "== sanitizer build (ASan + UBSan)"
adir=$(bash "$root/scripts/build.sh" Asan | tail -n 1)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd "$adir" && ctest --output-on-failure -j2 --timeout 300 -L 'unit|integration')

if [ -x "$root/tests/fuzz/run.sh" ] || [ -f "$root/tests/fuzz/run.sh" ]; then
    echo "== fuzzing (${FUZZ_SECONDS:-30}s per target)"
    bash "$root/tests/fuzz/run.sh" "${FUZZ_SECONDS:-30}"
fi
echo "test: all suites passed"

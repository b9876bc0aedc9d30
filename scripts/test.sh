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
log=$(mktemp)
trap 'rm -f "$log"' EXIT
(cd "$dir" && ctest --output-on-failure -j2 --timeout 300) | tee -a "$log"

echo "== sanitizer build (ASan + UBSan)"
adir=$(bash "$root/scripts/build.sh" Asan | tail -n 1)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd "$adir" && ctest --output-on-failure -j2 --timeout 300 -L 'unit|integration') |
    tee -a "$log"

if [ -x "$root/tests/fuzz/run.sh" ] || [ -f "$root/tests/fuzz/run.sh" ]; then
    echo "== fuzzing (${FUZZ_SECONDS:-30}s per target)"
    bash "$root/tests/fuzz/run.sh" "${FUZZ_SECONDS:-30}"
fi
if [ -f "$root/e2e/js/run.sh" ]; then
    echo "== nats.js end-to-end checks"
    BALLASTD="$dir/server/ballastd" bash "$root/e2e/js/run.sh" | tee -a "$log"
fi
# One closing line for every suite above: ctest's and node's counts.
passed=0
failed=0
while read -r n f; do
    passed=$((passed + n - f))
    failed=$((failed + f))
done < <(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\2 \1/p' "$log")
while read -r kind n; do
    if [ "$kind" = pass ]; then passed=$((passed + n)); else failed=$((failed + n)); fi
done < <(sed -n 's/^# \(pass\|fail\) \([0-9]*\)$/\1 \2/p' "$log")
echo "test: all suites passed"
echo "$passed passed, $failed failed"

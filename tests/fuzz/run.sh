#!/bin/sh
# Builds the libFuzzer targets with clang in build-fuzz and runs each one
# present (fuzz_parser, fuzz_conf, fuzz_api, fuzz_snapshot) for a while, starting from a temporary
# copy of its seed corpus in tests/fuzz/corpus/<name>/ (new inputs never land
# in the repository). Exits nonzero if a target crashed or failed to build;
# crashing inputs are kept in build-fuzz/fuzz-artifacts/<name>/.
#
# Usage: tests/fuzz/run.sh [seconds per target, default 30]
# BALLAST_FUZZ_BUILD overrides the build directory.
set -eu

secs=${1:-30}
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BALLAST_FUZZ_BUILD:-$root/build-fuzz}

# The fuzz targets get -fsanitize=fuzzer from tests/fuzz/CMakeLists.txt; the
# libraries they link need coverage instrumentation too, or the fuzzer is
# blind inside the code it is meant to explore. UBSan findings must abort,
# not just print.
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all"

cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DBALLAST_FUZZ=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS="$flags" >/dev/null

targets=
for t in fuzz_parser fuzz_conf fuzz_api fuzz_snapshot; do
    if [ -f "$root/tests/fuzz/$t.c" ]; then
        targets="$targets $t"
    fi
done
if [ -z "$targets" ]; then
    echo "run.sh: no fuzz targets found" >&2
    exit 1
fi
# shellcheck disable=SC2086
cmake --build "$build" -j2 --target $targets

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

status=0
for t in $targets; do
    name=${t#fuzz_}
    corpus="$tmp/$name"
    mkdir -p "$corpus"
    if [ -d "$root/tests/fuzz/corpus/$name" ]; then
        cp -R "$root/tests/fuzz/corpus/$name/." "$corpus/"
    fi
    artifacts="$build/fuzz-artifacts/$name"
    mkdir -p "$artifacts"
    echo "run.sh: $t for ${secs}s"
    if ! "$build/tests/fuzz/$t" -max_total_time="$secs" -timeout=10 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus"; then
        echo "run.sh: $t FAILED; inputs in $artifacts/" >&2
        status=1
    fi
done
exit $status

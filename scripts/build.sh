#!/usr/bin/env bash
# Configures and builds one build type into its own directory.
#   scripts/build.sh [Release|RelWithDebInfo|Debug|Asan|Ubsan] [extra cmake args]
# Prints the build directory on its last line.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
type=${1:-RelWithDebInfo}
shift || true
case "$type" in
    Asan) dir="$root/build-asan" ;;
    Ubsan) dir="$root/build-ubsan" ;;
    *) dir="$root/build" ;;
esac
werror=OFF
if [ "${CI:-}" = "true" ] || [ "${BALLAST_WERROR:-}" = "1" ]; then werror=ON; fi
cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE="$type" \
    -DBALLAST_WERROR="$werror" "$@" >/dev/null
cmake --build "$dir" -j"$(nproc)" >/dev/null || cmake --build "$dir" -j1
echo "$dir"

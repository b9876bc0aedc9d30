#!/usr/bin/env bash
# Installs what is needed, builds, and starts ballastd in the foreground:
# clients on nats://127.0.0.1:4222, monitoring on http://127.0.0.1:8222,
# JetStream on with its data in .data/ (BALLAST_DATA overrides).
# Extra arguments go to ballastd (nats-server's flags), e.g. -c my.conf.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/install-deps.sh"
dir=$(bash "$root/scripts/build.sh" RelWithDebInfo | tail -n 1)
echo "run: starting $dir/server/ballastd (Ctrl-C stops it)"
data=${BALLAST_DATA:-$root/.data}
mkdir -p "$data"
echo "run: the ballast CLI is $dir/cli/ballast (try: $dir/cli/ballast --help)"
exec "$dir/server/ballastd" -p 4222 -m 8222 -js -sd "$data" "$@"

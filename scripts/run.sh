#!/usr/bin/env bash
# Installs what is needed, builds, and starts ballastd in the foreground:
# clients on nats://127.0.0.1:4222, monitoring on http://127.0.0.1:8222.
# Extra arguments go to ballastd (nats-server's flags), e.g. -c my.conf.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/install-deps.sh"
dir=$(bash "$root/scripts/build.sh" RelWithDebInfo | tail -n 1)
echo "run: starting $dir/server/ballastd (Ctrl-C stops it)"
exec "$dir/server/ballastd" -p 4222 -m 8222 "$@"

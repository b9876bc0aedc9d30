#!/usr/bin/env bash
# Runs the nats.js end-to-end checks against a built ballastd
# (BALLASTD=path, default build/server/ballastd).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "${BALLASTD:-$here/../../build/server/ballastd}")
cd "$here"
if [ ! -d node_modules/nats ]; then
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
BALLASTD="$bin" node --test

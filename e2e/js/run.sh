#!/usr/bin/env bash
# Runs the nats.js end-to-end checks against a built ballastd.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
if [ ! -d node_modules/nats ]; then
    npm install --no-audit --no-fund --loglevel=error >/dev/null
fi
BALLASTD=${BALLASTD:-$here/../../build/server/ballastd} node --test

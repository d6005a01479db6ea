#!/usr/bin/env bash
# Measures, in one release-built process, `connect` from a pod to a ClusterIP:port against
# an empty Lua->C call and plain Lua building a table shaped like connect's result.
#   Scripts/bench-connect.sh [CALLS]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product svclab >/dev/null
.build/release/svclab --bench Scripts/bench/connect.lua "${1:-50000}"

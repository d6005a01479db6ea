#!/usr/bin/env bash
# Measures, in one release-built process, `resolve` of Service FQDNs on a cluster with
# SERVICES Services, against an empty Lua->C call and plain Lua building a table shaped
# like resolve's answer. Creating the Services is timed separately (setup).
#   Scripts/bench-resolve.sh [SERVICES] [CALLS]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product svclab >/dev/null
.build/release/svclab --bench Scripts/bench/resolve.lua "${1:-10000}" "${2:-200000}"

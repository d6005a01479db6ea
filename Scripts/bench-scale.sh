#!/usr/bin/env bash
# Kubernetes' own limits (5,000 nodes, 150,000 pods, 10,000 Services) in one release-built
# process per size: build time, peak RSS, the cost of one endpoint change, and the time to
# render one node's rules. Not a test: the figures go to Docs/Benchmarks.md ("At scale").
#   Scripts/bench-scale.sh [CHANGES]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product svclab >/dev/null
for pods in 1500 15000 150000; do
  /usr/bin/time -f "peak RSS of the process (/usr/bin/time): %M KiB, %e s wall" \
    .build/release/svclab Scripts/bench/scale.lua "$pods" 5000 "${1:-1000}"
  echo
done

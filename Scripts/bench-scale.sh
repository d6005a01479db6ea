#!/usr/bin/env bash
# Kubernetes' own limits (5,000 nodes, 150,000 pods, 10,000 Services) in one release-built
# process per size: build time, peak RSS, the cost of one endpoint change, and the time to
# render one node's rules. Not a test: the figures go to Docs/Benchmarks.md ("At scale").
#   Scripts/bench-scale.sh [CHANGES] [BINARY...]
# With no binary it builds and measures .build/release/svclab. Given binaries (say one built
# before a change, then the current one), each size is measured with each of them in turn,
# so their figures come from one run.
set -euo pipefail
cd "$(dirname "$0")/.."
changes=1000
if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then
  changes=$1
  shift
fi
if [ $# -eq 0 ]; then
  swift build -c release --product svclab >/dev/null
  set -- .build/release/svclab
fi
for pods in 1500 15000 150000; do
  for bin in "$@"; do
    [ $# -gt 1 ] && echo "  $bin:"
    /usr/bin/time -f "peak RSS of the process (/usr/bin/time): %M KiB, %e s wall" \
      "$bin" Scripts/bench/scale.lua "$pods" 5000 "$changes"
    echo
  done
done

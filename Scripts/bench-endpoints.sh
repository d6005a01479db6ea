#!/usr/bin/env bash
# Measures, in one release-built process per cluster size, what one endpoint change costs
# end to end (EndpointSlice and endpoints controllers, DNS follower, kube-proxy follower,
# kube-proxy's sync and decision on the client's node), on clusters of 1,000 and 100,000 pods.
#   Scripts/bench-endpoints.sh [CHANGES] [BINARY...]
# With no binary it builds and measures .build/release/svclab (SVCLAB=path measures that one
# instead). Given binaries (say one built before a change, then the current one), each size
# is measured with each of them in turn, so their figures come from one run.
set -euo pipefail
cd "$(dirname "$0")/.."
changes=1000
if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then
  changes=$1
  shift
fi
if [ $# -eq 0 ]; then
  bin=${SVCLAB:-}
  if [ -z "$bin" ]; then
    swift build -c release --product svclab >/dev/null
    bin=.build/release/svclab
  fi
  set -- "$bin"
fi
for pods in 1000 100000; do
  for bin in "$@"; do
    [ $# -gt 1 ] && echo "  $bin:"
    "$bin" Scripts/bench/endpoints.lua "$pods" "$changes"
    echo
  done
done

#!/usr/bin/env bash
# Measures, in one release-built process per cluster size, what one endpoint change costs
# end to end (EndpointSlice controller, DNS follower, kube-proxy follower, kube-proxy's sync
# and decision on the client's node), on clusters of 1,000 and 100,000 pods.
#   Scripts/bench-endpoints.sh [CHANGES]
# SVCLAB=path/to/svclab measures that binary instead of building the release one.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${SVCLAB:-}
if [ -z "$bin" ]; then
  swift build -c release --product svclab >/dev/null
  bin=.build/release/svclab
fi
for pods in 1000 100000; do
  "$bin" Scripts/bench/endpoints.lua "$pods" "${1:-1000}"
  echo
done

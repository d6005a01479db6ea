#!/usr/bin/env bash
# The costs a learner's script meets, each in its own release-built process:
#   - connect from 1,000 different client pods to 1,000 different Services, no two calls alike;
#   - resolve of 10,000 different names with 10,000 Services and with 100;
#   - distribution(from, "clusterIP:port", 1000000) in iptables and nftables mode;
#   - one readiness change end to end at 1,000 and 150,000 pods (Scripts/bench/endpoints.lua).
#   Scripts/bench-users.sh [BINARY...]
# With no argument it builds and measures .build/release/svclab. Given binaries (say a copy
# of the release binary built before a change, then the current one), it runs every
# measurement with each of them in turn, so their figures come from one run.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -eq 0 ]; then
  swift build -c release --product svclab >/dev/null
  set -- .build/release/svclab
fi
each() {
  for bin in "$@"; do
    [ $# -gt 1 ] && echo "  $bin:"
    "$bin" "${args[@]}"
  done
}
echo "== connect: 1,000 pods -> 1,000 Services, no two calls alike"
args=(Scripts/bench/connect-many.lua 1000 1000 20000); each "$@"
echo "== resolve: 10,000 different names"
args=(Scripts/bench/resolve-many.lua 10000 10000); each "$@"
args=(Scripts/bench/resolve-many.lua 100 10000); each "$@"
echo "== distribution(from, svc, 1000000)"
args=(Scripts/bench/distribution.lua 1000000); each "$@"
echo "== one readiness change end to end"
for pods in 1000 150000; do
  args=(Scripts/bench/endpoints.lua "$pods" 1000); each "$@"
done

#!/usr/bin/env bash
# Measures importCluster on a generated 10,000-Service, 100,000-pod dump (Scripts/gen-dump.py:
# 417 nodes, a Deployment and ReplicaSet per Service, every pod on the pod network with its
# EndpointSlice): wall time of the import in one release-built process (reading and parsing
# the JSON, building the objects, inserting them, the DNS and kube-proxy followers loading
# them), the whole process's CPU time, and its peak resident memory. The dump is written
# once to a temporary folder and removed at the end.
#   Scripts/bench-import.sh [SERVICES] [PODS]
# SVCLAB=path/to/svclab runs that binary instead of building this tree's (a "before" build).
set -euo pipefail
cd "$(dirname "$0")/.."
services=${1:-10000}
pods=${2:-100000}
bin=${SVCLAB:-.build/release/svclab}
[ -n "${SVCLAB:-}" ] || swift build -c release --product svclab >/dev/null
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 Scripts/gen-dump.py bench "$services" "$pods" json > "$dir/dump.json"
echo "dump: $services Services, $pods pods, $(du -m "$dir/dump.json" | cut -f1) MB of kubectl -o json"
cat > "$dir/bench.lua" <<'LUA'
local path = ...
local t0 = os.clock()
local r = importCluster(path)
local t1 = os.clock()
print(r.summary)
print(string.format("import: %.2f s CPU", t1 - t0))
local c = cluster().counts
print(string.format("lab: %d nodes, %d pods, %d services, %d endpointslices", c.nodes, c.pods, c.services, c.endpointSlices))
LUA
/usr/bin/time -o "$dir/time" -f "%e %U %S %M" "$bin" "$dir/bench.lua" "$dir/dump.json"
read -r wall user sys peak < "$dir/time"
echo "process: $wall s wall, $user s user + $sys s system CPU," \
  "$((peak / 1024)) MiB peak resident ($((peak / pods)) KiB per pod)"

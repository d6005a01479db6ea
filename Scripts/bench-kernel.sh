#!/usr/bin/env bash
# Measures the lab on the real kernel (root): materialize() of a 3-node cluster with PODS
# backend pods, then the re-syncs that follow a scale-up, a scale-down and a new Service
# (kube-proxy's partial restore of the changed chains on each node, pods wired one by one),
# and teardown(). The tools run as processes (ip -batch, iptables-restore, sysctl).
#   Scripts/bench-kernel.sh [svclab] [PODS]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-.build/debug/svclab}
pods=${2:-12}
export SVCLAB_NETNS_PREFIX="svb$$-"
trap '"$bin" down >/dev/null 2>&1' EXIT
"$bin" - "$pods" <<'LUA'
local n = tonumber(arg[1])
reset { nodes = 3, podNetwork = "BGP" }
createDeployment("web", { replicas = n, labels = { app = "web" }, ports = { { name = "http", containerPort = 8080 } } })
createService("web", { selector = { app = "web" }, ports = { { name = "http", port = 80, targetPort = "http" } } })

local wall = io.popen("date +%s%N"):read("l")
materialize()
local after = io.popen("date +%s%N"):read("l")
print(string.format("materialize: %d pods (%d with the system pods) on 3 nodes: %.0f ms", n, #pods({ allNamespaces = true }), (tonumber(after) - tonumber(wall)) / 1e6))
scale("web", n + 1)
scale("web", n)
createService("web-2", { selector = { app = "web" }, ports = { { name = "http", port = 81, targetPort = "http" } } })
wall = io.popen("date +%s%N"):read("l")
teardown()
after = io.popen("date +%s%N"):read("l")
print(string.format("teardown: %.0f ms", (tonumber(after) - tonumber(wall)) / 1e6))
LUA

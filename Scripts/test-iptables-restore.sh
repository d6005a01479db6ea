#!/usr/bin/env bash
# Loads what kube-proxy feeds iptables-restore — svclab's iptablesSave(node) for every node of
# a cluster with varied Services — into a fresh network namespace per node, with
# `iptables-restore --noflush` of each available backend (legacy, nft). Every load must
# succeed, load every rule, and load again on top of itself (kube-proxy's next full sync).
#   Scripts/test-iptables-restore.sh path/to/svclab
# Needs root (ip netns). Ends with "N passed, N failed" (", N skipped" where any); exits
# non-zero on failure.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${1:-.build/debug/svclab}")
prefix="svclab-test-$$"
# shellcheck source=lib/netns-tap.sh
source Scripts/lib/netns-tap.sh

# --- Preconditions: whole-script skip only when namespaces or iptables-restore are missing.
if ! command -v ip >/dev/null; then
  skip "iptables-restore into network namespaces" "iproute2 (ip) is not installed"
  summary; exit 0
fi
if ! newns probe; then
  skip "iptables-restore into network namespaces" "cannot create a network namespace (ip netns add needs root)"
  summary; exit 0
fi
probe=$ns
backends=()
for b in iptables-legacy-restore iptables-nft-restore; do
  command -v "$b" >/dev/null && backends+=("$b")
done
if ((${#backends[@]} == 0)) && command -v iptables-restore >/dev/null; then
  backends=(iptables-restore)
fi
if ((${#backends[@]} == 0)); then
  skip "iptables-restore into network namespaces" "no iptables-restore is installed"
  summary; exit 0
fi
echo "# backends: ${backends[*]}"

# --- The cluster: every node's restore input written to $work/node-N.rules.
cat >"$work/cluster.lua" <<'LUA'
local dir = arg[1]
seed(3)
local function backend(name, node, app)
  addPod(name, { node = node, labels = { app = app },
    ports = { { name = "http", containerPort = 8080 }, { name = "dns", containerPort = 5353, protocol = "UDP" } } })
end
backend("web-1", "node-1", "web")
backend("web-2", "node-2", "web")
backend("web-3", "node-2", "web")
backend("api-1", "node-3", "api")
local http = { { name = "http", port = 80, targetPort = 8080 } }
createService("web", { selector = { app = "web" },
  ports = { { name = "http", port = 80, targetPort = 8080 },
            { name = "dns", port = 53, targetPort = 5353, protocol = "UDP" } } })
createService("web-np", { type = "NodePort", selector = { app = "web" }, ports = http })
createService("web-lb", { type = "LoadBalancer", externalTrafficPolicy = "Local",
  loadBalancerSourceRanges = { "203.0.113.0/24", "198.51.100.0/25" },
  selector = { app = "web" }, ports = http })
createService("api-lb", { type = "LoadBalancer", selector = { app = "api" }, ports = http })
createService("sticky", { selector = { app = "web" }, sessionAffinity = "ClientIP",
  sessionAffinityTimeout = 600, ports = http })
createService("sticky-np", { type = "NodePort", selector = { app = "api" },
  sessionAffinity = "ClientIP", ports = http })
createService("empty", { selector = { app = "none" }, ports = http })
createService("empty-lb", { type = "LoadBalancer", externalTrafficPolicy = "Local",
  selector = { app = "none" }, ports = http })
createService("ext", { selector = { app = "web" }, externalIPs = { "192.0.2.10", "192.0.2.11" },
  externalTrafficPolicy = "Cluster", ports = http })
createService("ext-local", { type = "NodePort", selector = { app = "api" },
  externalIPs = { "192.0.2.20" }, externalTrafficPolicy = "Local", ports = http })
createService("local-only", { selector = { app = "api" }, internalTrafficPolicy = "Local", ports = http })
createService("headless", { clusterIP = "None", selector = { app = "web" }, ports = http })
createService("named", { type = "ExternalName", externalName = "example.com" })
-- One node with other kube-proxy settings.
setProxyMode("iptables", { node = "node-3", masqueradeAll = true, localhostNodePorts = false,
  randomFully = false, detectLocal = "NodeCIDR" })
for _, n in ipairs(nodes()) do
  local f = assert(io.open(dir .. "/" .. n.name .. ".rules", "w"))
  f:write(iptablesSave(n.name))
  f:close()
end
LUA
if ! out=$("$bin" "$work/cluster.lua" "$work" 2>&1); then
  fail "svclab writes every node's iptablesSave" "$out"
  summary; exit 1
fi
pass "svclab writes every node's iptablesSave"

# --- nfacct: kube-proxy adds `-m nfacct` matches only when its counters exist in the kernel.
nfacct_reason=""
printf '*filter\n:SVCLAB-PROBE - [0:0]\n-A SVCLAB-PROBE -m nfacct --nfacct-name svclab_probe -j ACCEPT\nCOMMIT\n' >"$work/nfacct.rules"
for b in "${backends[@]}"; do
  if ! err=$(ip netns exec "$probe" "$b" --noflush <"$work/nfacct.rules" 2>&1); then
    nfacct_reason="nfacct counters are unavailable here ($b: ${err//$'\n'/ }); kube-proxy omits the nfacct matches then"
    break
  fi
done

# --- Per node and backend: load, check every rule arrived, load again.
for rules in "$work"/node-*.rules; do
  node=$(basename "$rules" .rules)
  if [[ ! -s "$rules" ]]; then fail "$node: iptablesSave is empty"; continue; fi
  input="$rules"
  if grep -q -- '-m nfacct' "$rules"; then
    if [[ -n "$nfacct_reason" ]]; then
      skip "$node: restore input with its nfacct matches" "$nfacct_reason"
      input="$work/$node.no-nfacct.rules"
      sed 's/ -m nfacct --nfacct-name [^ ]*//' "$rules" >"$input"
    fi
  fi
  want=$(grep -c '^-A ' "$input")
  for b in "${backends[@]}"; do
    case="$node: $b --noflush"
    newns "$node-${b%%-restore}" || { fail "$case" "ip netns add failed"; continue; }
    if ! err=$(ip netns exec "$ns" "$b" --noflush <"$input" 2>&1); then
      fail "$case" "$err"
      continue
    fi
    save=${b%-restore}-save
    [[ "$b" == iptables-restore ]] && save=iptables-save
    got=$(ip netns exec "$ns" "$save" 2>/dev/null | grep -c '^-A KUBE-')
    if [[ "$got" != "$want" ]]; then
      fail "$case" "loaded $got KUBE rules, the input has $want"
      continue
    fi
    pass "$case ($want rules)"
    if err=$(ip netns exec "$ns" "$b" --noflush <"$input" 2>&1); then
      pass "$case, again on top of itself"
    else
      fail "$case, again on top of itself" "$err"
    fi
  done
done

summary
((failed == 0))

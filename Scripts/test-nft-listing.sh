#!/usr/bin/env bash
# Loads svclab's nftRuleset(node) — what it prints as `nft list table ip kube-proxy` — into a
# fresh network namespace per node with `nft -f`, lists it back with `nft list ruleset`, and
# compares: svclab's text must be exactly what nft prints, except for the order of the
# elements of the verdict maps (the kernel lists them in its hash order; they are compared
# sorted). nftRuleset shows the IPv4 table.
#   Scripts/test-nft-listing.sh path/to/svclab
# Needs root (ip netns) and nft. Ends with "N passed, N failed" (", N skipped" where any);
# exits non-zero on failure.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${1:-.build/debug/svclab}")
prefix="svclab-nft-$$"
# shellcheck source=lib/netns-tap.sh
source Scripts/lib/netns-tap.sh

if ! command -v ip >/dev/null || ! command -v nft >/dev/null; then
  skip "nft listing round trip" "iproute2 (ip) or nftables (nft) is not installed"
  summary; exit 0
fi
if ! newns probe; then
  skip "nft listing round trip" "cannot create a network namespace (ip netns add needs root)"
  summary; exit 0
fi
echo "# $(nft --version)"

cat >"$work/cluster.lua" <<'LUA'
local dir, family = arg[1], arg[2]
reset { proxyMode = "nftables" }
seed(5)
addPod("web-1", { node = "node-1", labels = { app = "web" } })
addPod("web-2", { node = "node-2", labels = { app = "web" } })
addPod("api-1", { node = "node-3", labels = { app = "api" } })
local http = { { name = "http", port = 80 } }
createService("web", { selector = { app = "web" }, ports = http })
createService("lb", { type = "LoadBalancer", selector = { app = "web" }, ports = http,
  loadBalancerSourceRanges = { "203.0.113.0/25", "192.0.2.0/24", "198.51.100.7/32" },
  sessionAffinity = "ClientIP" })
createService("lb-local", { type = "LoadBalancer", externalTrafficPolicy = "Local",
  selector = { app = "api" }, ports = http })
createService("one-range", { type = "LoadBalancer", selector = { app = "web" }, ports = http,
  loadBalancerSourceRanges = { "203.0.113.0/25" } })
createService("np", { type = "NodePort", selector = { app = "web" }, ports = http })
createService("empty", { selector = { app = "none" }, ports = http })
createService("local-only", { selector = { app = "api" }, internalTrafficPolicy = "Local", ports = http })
setProxyMode("nftables", { node = "node-3", masqueradeAll = true })
for _, n in ipairs(nodes()) do
  local f = assert(io.open(dir .. "/" .. family .. "-" .. n.name .. ".nft", "w"))
  f:write(nftRuleset(n.name))
  f:close()
end
LUA

# Sorts the entries of every `elements = { ... }` block of a map (kernel hash order).
normalize() {
  python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
out, kind = [], None
lines = text.split("\n")
i = 0
while i < len(lines):
    line = lines[i]
    m = re.match(r"\t(set|map) ", line)
    if m:
        kind = m.group(1)
    if kind == "map" and line.startswith("\t\telements = { "):
        block = [line]
        while not block[-1].endswith(" }"):
            i += 1
            block.append(lines[i])
        body = " ".join(l.strip() for l in block)[len("elements = { "):-2]
        items = sorted(x.strip() for x in re.split(r",\s+(?=\S)", body))
        out.append("\t\telements = { " + " | ".join(items) + " }")
    else:
        out.append(line)
    i += 1
print("\n".join(out))
PY
}

for family in v4; do
  if ! out=$("$bin" "$work/cluster.lua" "$work" "$family" 2>&1); then
    fail "svclab writes every node's nftRuleset ($family)" "$out"
    continue
  fi
  for file in "$work/$family"-node-*.nft; do
    node=$(basename "$file" .nft)
    case="$node: nft -f, then nft list ruleset prints svclab's text"
    newns "$node" || { fail "$case" "ip netns add failed"; continue; }
    if ! err=$(ip netns exec "$ns" nft -f "$file" 2>&1); then
      fail "$case" "nft -f: $err"
      continue
    fi
    ip netns exec "$ns" nft list ruleset >"$work/$node.listed"
    if diff <(normalize "$file") <(normalize "$work/$node.listed") >"$work/$node.diff"; then
      pass "$case"
    else
      fail "$case" "$(head -40 "$work/$node.diff")"
    fi
  done
done
summary
((failed == 0))

#!/usr/bin/env bash
# Builds a lab with every kind svclab exports, writes export{nodes=true} to a file and
# validates it with kubernetes-validate (strict: unknown fields are errors) against the
# Kubernetes version given below, then applies it to a fresh lab and exports again.
#   Scripts/test-export.sh PATH/TO/svclab
# The last line sums up: "N passed, N failed". Exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=${1:-.build/debug/svclab}
k8s_version=1.33.0
passed=0
failed=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

check() { # check NAME COMMAND...: one counted step
  local name=$1
  shift
  if "$@" >"$work/out" 2>&1; then
    echo "ok - $name"
    passed=$((passed + 1))
  else
    echo "not ok - $name"
    sed 's/^/# /' "$work/out"
    failed=$((failed + 1))
  fi
}

cat >"$work/build.lua" <<'LUA'
local out = ...
reset{}
createNamespace("shop", { labels = { team = "payments" } })
addNode("edge-1", { zone = "zone-d", region = "region-2" })
addPod("db", { namespace = "shop", labels = { app = "db" }, ports = { { name = "pg", containerPort = 5432 } },
               hostname = "db-0", subdomain = "dbs",
               dnsConfig = { nameservers = { "1.1.1.1" }, options = { { name = "ndots", value = "2" } } } })
createDeployment("web", { replicas = 2, ports = { { name = "http", containerPort = 8080 } } })
createService("web", { selector = { app = "web" }, ports = { { name = "http", port = 80, targetPort = "http" } } })
createService("web-np", { type = "NodePort", selector = { app = "web" }, ports = { { port = 80, targetPort = 8080 } } })
createService("web-lb", { type = "LoadBalancer", selector = { app = "web" }, ports = { { port = 443 } },
                          externalTrafficPolicy = "Local", sessionAffinity = "ClientIP",
                          loadBalancerSourceRanges = { "203.0.113.0/24" } })
createService("dbs", { namespace = "shop", clusterIP = "None", selector = { app = "db" },
                       ports = { { port = 5432 } }, publishNotReadyAddresses = true })
createService("ext", { type = "ExternalName", externalName = "db.example.com" })
createService("legacy", { ports = { { name = "pg", port = 5432 } } })
createEndpointSlice("legacy-1", { service = "legacy", addressType = "IPv4",
  endpoints = { { addresses = { "10.1.2.3" }, conditions = { ready = true }, zone = "zone-a",
                  hints = { forZones = { "zone-a" } } } },
  ports = { { name = "pg", port = 5432, protocol = "TCP" } } })
apply([[
apiVersion: apps/v1
kind: Deployment
metadata:
  name: applied
spec:
  replicas: 1
  selector:
    matchLabels: {app: applied}
  template:
    metadata:
      labels: {app: applied}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        resources:
          limits: {cpu: 100m}
]])
local f = assert(io.open(out, "w"))
f:write(export{ nodes = true })
f:close()
LUA

check "svclab writes export{nodes=true}" "$bin" "$work/build.lua" "$work/export.yaml"
check "the export holds every kind" bash -c "for k in Namespace Node Pod Service Deployment EndpointSlice; do grep -q \"^kind: \$k\$\" '$work/export.yaml' || { echo \"no \$k\"; exit 1; }; done"
if command -v kubernetes-validate >/dev/null; then
  check "kubernetes-validate --strict -k $k8s_version accepts the export" \
    kubernetes-validate --strict --quiet -k "$k8s_version" "$work/export.yaml"
  # The validator itself must reject what the API server would: an unknown field.
  printf 'apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {bogusField: 1}\n' >"$work/bad.yaml"
  check "kubernetes-validate --strict rejects an unknown field" \
    bash -c "! kubernetes-validate --strict --quiet -k $k8s_version '$work/bad.yaml'"
else
  echo "not ok - kubernetes-validate is not installed (Scripts/setup.sh --test installs it)"
  failed=$((failed + 1))
fi
cat >"$work/roundtrip.lua" <<LUA
reset{}
local text = io.open("$work/export.yaml"):read("a")
apply(text)
local again = export{ nodes = true }
assert(again == text, "export after apply differs:\n" .. again)
LUA
check "apply(export) into a fresh lab exports the same text" "$bin" "$work/roundtrip.lua"
echo "$passed passed, $failed failed"
((failed == 0))

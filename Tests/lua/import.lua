-- importCluster: a kind-shaped 3-node cluster's `kubectl get … -A -o yaml` and `-o json`
-- (Tests/fixtures/kind-cluster-dump.*, written by Scripts/gen-dump.py) become a lab whose
-- addresses, ports, readiness and EndpointSlices are the dump's; checkInvariants() reports
-- the one stale slice the dump holds.

local dir = "Tests/fixtures/"

local function sorted(list)
  table.sort(list)
  return list
end

-- What every import of the fixture must give, YAML or JSON alike.
local function checkFixture(r)
  assertEqual(r.counts, { nodes = 3, namespaces = 6, pods = 16, services = 7, endpointSlices = 6,
    deployments = 3, replicaSets = 3 })
  assertEqual(r.skipped, { ["apps/v1/DaemonSet"] = 2, ["apps/v1/StatefulSet"] = 1, ["v1/ConfigMap"] = 4 })
  assertEqual(r.configMaps, { "kube-system/coredns", "kube-system/kube-proxy", "kube-system/kubeadm-config" })
  assertEqual(r.summary, "imported 3 nodes, 6 namespaces, 16 pods, 7 services, 6 endpointslices, 3 deployments"
    .. " (3 replicasets folded into them); settings from configmaps kube-system/coredns, kube-system/kube-proxy,"
    .. " kube-system/kubeadm-config; skipped 7 objects of kinds the lab does not model"
    .. " (2 apps/v1/DaemonSet, 1 apps/v1/StatefulSet, 4 v1/ConfigMap)")
  -- kubeadm-config says 10.96.0.0/16 (not the /12 default), kube-proxy's config.conf iptables.
  assertEqual(r.serviceCIDR, { "10.96.0.0/16" })
  assertEqual(r.podCIDR, "10.244.0.0/16")
  assertEqual(r.domain, "cluster.local")
  assertEqual(r.proxyMode, "iptables")
  local c = cluster()
  assertEqual(c.serviceCIDR, { "10.96.0.0/16" })
  assertEqual(c.proxyMode, "iptables")

  -- Nodes: addresses, pod CIDRs and zones as recorded.
  local w = getNode("kind-worker")
  assertEqual({ w.ip, w.podCIDR, w.zone }, { "172.18.0.3", "10.244.1.0/24", "zone-b" })
  assertEqual(getNode("kind-control-plane").labels["node-role.kubernetes.io/control-plane"], "")

  -- Pods: IPs, nodes, readiness and phase as recorded, nothing re-allocated.
  local p = getPod("shop/web-6d4cf56db6-4mzkp")
  assertEqual({ p.ip, p.node, p.ready, p.phase, p.deployment }, { "10.244.1.4", "kind-worker", true, "Running", "web" })
  local notReady = getPod("shop/web-6d4cf56db6-x7hbc")
  assertEqual({ notReady.ready, notReady.phase }, { false, "Running" })
  local pending = getPod("shop/web-6d4cf56db6-zk5rd")
  assertEqual({ pending.ip, pending.node, pending.phase, pending.ready }, { nil, nil, "Pending", false })
  local hostNet = getPod("kube-system/kube-proxy-b2m4d")
  assertEqual({ hostNet.hostNetwork, hostNet.ip, hostNet.node }, { true, "172.18.0.3", "kind-worker" })
  assertEqual(getPod("shop/db-1").hostname, "db-1")

  -- Services of every type, with the dump's ClusterIPs and node ports.
  assertEqual(getService("kube-system/kube-dns").clusterIP, "10.96.0.10")
  local web = getService("shop/web")
  assertEqual({ web.type, web.clusterIP }, { "ClusterIP", "10.96.112.40" })
  local np = getService("shop/web-np")
  assertEqual({ np.type, np.clusterIP, np.ports[1].nodePort }, { "NodePort", "10.96.45.17", 30080 })
  local lb = getService("shop/web-lb")
  assertEqual({ lb.type, lb.ports[1].nodePort, lb.healthCheckNodePort, lb.externalTrafficPolicy },
    { "LoadBalancer", 31380, 32123, "Local" })
  assertEqual(lb.loadBalancerIngress, { "172.18.255.200" })
  assertEqual(getService("shop/db").clusterIP, "None")
  local ext = getService("shop/payments")
  assertEqual({ ext.type, ext.externalName }, { "ExternalName", "payments.example.com" })

  -- The stale slice is kept as the dump has it: a gone pod in, the not-ready pod missing.
  local slices = endpointSlices("shop/web")
  assertEqual(#slices, 1)
  local addrs = {}
  for _, e in ipairs(slices[1].endpoints) do addrs[#addrs + 1] = e.addresses[1] end
  assertEqual(sorted(addrs), { "10.244.1.4", "10.244.1.9", "10.244.2.5" })

  -- The Corefile's settings are the DNS settings (ttl 30, pods insecure).
  local d = dnsConfig()
  assertEqual({ d.ttl, d.pods }, { 30, "insecure" })

  -- checkInvariants: exactly the stale slice.
  local ok, err = pcall(checkInvariants)
  assertEqual(ok, false)
  assert(err:find("1 invariant violation", 1, true), err)
  assert(err:find("slices of shop/web (IPv4) differ from its pods", 1, true), err)
end

test("a kubectl -o yaml dump imports as it was", function()
  checkFixture(importCluster(dir .. "kind-cluster-dump.yaml"))
end)

test("the same dump as kubectl -o json imports the same", function()
  checkFixture(importCluster(dir .. "kind-cluster-dump.json"))
end)

test("the imported cluster answers like the real one", function()
  importCluster(dir .. "kind-cluster-dump.yaml")
  local a = resolve("web.shop.svc.cluster.local")
  assertEqual(a.addresses, { "10.96.112.40" })
  -- DNS serves the headless Service's pods by their recorded addresses.
  assertEqual(sorted(resolve("db.shop.svc.cluster.local").addresses), { "10.244.1.5", "10.244.2.7" })
  assertEqual(resolve("db-0.db.shop.svc.cluster.local").addresses, { "10.244.1.5" })
  -- kube-proxy follows the (stale) slices: the gone pod is still a backend.
  local seen = {}
  for _, e in ipairs(endpoints("shop/web")) do seen[#seen + 1] = e.ip end
  assertEqual(sorted(seen), { "10.244.1.4", "10.244.1.9", "10.244.2.5" })
end)

test("once a pod changes, the controller takes the slice over", function()
  importCluster(dir .. "kind-cluster-dump.yaml")
  setPodReady("shop/web-6d4cf56db6-x7hbc", true)
  local addrs = {}
  for _, e in ipairs(endpointSlices("shop/web")[1].endpoints) do addrs[#addrs + 1] = e.addresses[1] end
  assert(#addrs >= 3, "the slice keeps its endpoints")
end)

test("several files make one dump", function()
  local yaml = io.open(dir .. "kind-cluster-dump.yaml"):read("a")
  local nodesPart, rest = yaml:match("^(.-\n)(%- apiVersion: v1\n  kind: Namespace.*)$")
  assert(nodesPart, "the fixture starts with its nodes")
  local a, b = os.tmpname(), os.tmpname()
  io.open(a, "w"):write(nodesPart):close()
  io.open(b, "w"):write("apiVersion: v1\nitems:\n" .. rest):close()
  local r = importCluster({ a, b })
  os.remove(a)
  os.remove(b)
  assertEqual(r.counts.nodes, 3)
  assertEqual(r.counts.pods, 16)
end)

test("without kubeadm's and kube-proxy's ConfigMaps the CIDRs come from the objects", function()
  local r = importCluster([[
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Node
  metadata: {name: n1, labels: {topology.kubernetes.io/zone: z1}}
  spec: {podCIDR: 10.200.3.0/24}
  status: {addresses: [{type: InternalIP, address: 192.168.5.10}]}
- apiVersion: v1
  kind: Service
  metadata: {name: kubernetes, namespace: default}
  spec: {clusterIP: 10.32.0.1, clusterIPs: [10.32.0.1], ports: [{port: 443, targetPort: 6443}]}
- apiVersion: v1
  kind: Service
  metadata: {name: web, namespace: default}
  spec: {clusterIP: 10.32.7.9, clusterIPs: [10.32.7.9], ports: [{port: 80}], selector: {app: web}}
- apiVersion: v1
  kind: Pod
  metadata: {name: web-1, namespace: default, labels: {app: web}}
  spec: {nodeName: n1, containers: [{name: c}]}
  status: {phase: Running, podIP: 10.200.3.7, conditions: [{type: Ready, status: "True"}]}
- apiVersion: example.com/v1
  kind: Widget
  metadata: {name: w}
]])
  assertEqual(r.serviceCIDR, { "10.32.0.0/12" })
  assertEqual(r.podCIDR, "10.200.0.0/16")
  assertEqual(r.skipped, { ["example.com/v1/Widget"] = 1 })
  assertEqual(getNode("n1").zone, "z1")
  assertEqual(getPod("default/web-1").ip, "10.200.3.7")
  -- No slice in the dump for a Service with a selector: the lab says so.
  assertError(checkInvariants, "service default/web has no IPv4 slice")
end)

test("a bad dump is refused and leaves the lab as it was", function()
  reset{}
  addPod("keep")
  assertError(function() importCluster("Tests/fixtures/no-such-dump.yaml") end,
    'importCluster: the path "Tests/fixtures/no%-such%-dump.yaml" does not exist')
  assertError(function() importCluster("{\"apiVersion\": \"v1\", \"items\": [}") end, "importCluster: .*invalid JSON")
  assertError(function() importCluster("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {nodeName: 7}\n") end,
    "cannot unmarshal number into Go struct field spec.nodeName of type string")
  assertError(function() importCluster({}) end, "no paths given")
  assertEqual(getPod("keep").name, "keep")
end)

test("saveLab keeps an imported lab as its import and the calls after it", function()
  importCluster(dir .. "kind-cluster-dump.yaml")
  setPodReady("shop/web-6d4cf56db6-x7hbc", true)
  local file = os.tmpname()
  saveLab(file)
  reset{}
  loadLab(file)
  os.remove(file)
  assertEqual(getPod("shop/web-6d4cf56db6-x7hbc").ready, true)
  assertEqual(getService("shop/web-np").ports[1].nodePort, 30080)
end)

-- Everything the lab shows of its objects and what it makes of them, to compare two imports.
local function labSnapshot()
  local s = { cluster = cluster(), export = export(), dns = dnsConfig() }
  s.invariants = select(2, pcall(checkInvariants))
  for _, kind in ipairs({ "ns", "nodes", "pods", "svc", "endpointslices", "ep", "deployments" }) do
    s["get " .. kind] = get(kind, { allNamespaces = true, wide = true })
  end
  s.namespaces, s.nodes = namespaces(), nodes()
  s.pods, s.services = pods{ allNamespaces = true }, services{ allNamespaces = true }
  s.deployments = deployments{ allNamespaces = true }
  for _, p in ipairs(s.pods) do
    local key = p.namespace .. "/" .. p.name
    s["describe pod " .. key] = describe("pod", key)
  end
  for _, svc in ipairs(s.services) do
    local key = svc.namespace .. "/" .. svc.name
    s["describe svc " .. key] = describe("svc", key)
    s["slices " .. key] = endpointSlices(key)
    s["endpoints " .. key] = endpoints(key)
  end
  for _, n in ipairs(s.nodes) do s["iptables " .. n.name] = iptablesSave(n.name) end
  return s
end

test("the JSON dump and the YAML dump make the same lab", function()
  importCluster(dir .. "kind-cluster-dump.yaml")
  local fromYAML = labSnapshot()
  importCluster(dir .. "kind-cluster-dump.json")
  assertEqual(labSnapshot(), fromYAML)
end)

-- Traffic through kube-proxy and the pod network: ClusterIP, NodePort and LoadBalancer paths,
-- who handles a packet, the CNI hop between nodes, the source address a backend sees, load
-- spreading, kube-proxy's chain names, and the failure words of `connect`.

local CLIENT = "203.0.113.7"

-- Shared helpers: backend pods, the web Service, the first word of a failure reason.
local support = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "../support/traffic.lua")
local backend, webService, word = support.backend, support.webService, support.word

-- A fresh default cluster (node-1..3 at 172.18.0.2-4, pod CIDRs 10.244.0-2.0/24).
local function fresh()
  reset {}
  seed(7)
end

-- The node's address as the IP-in-IP tunnel sees it: the first address of its pod CIDR.
local function tunnelIP(node)
  return (getNode(node).podCIDR:gsub("/%d+$", ""))
end

local function nodeIP(node) return getNode(node).ip end

local function hopsText(r) return table.concat(r.hops, "\n") end

-- `n` connections; the set of values `field` took.
local function seen(n, field, from, target, opts)
  local set = {}
  for _ = 1, n do
    local r, why = connect(from, target, opts)
    assert(r, why)
    set[r[field]] = (set[r[field]] or 0) + 1
  end
  return set
end

local function keys(set)
  local out = {}
  for k in pairs(set) do out[#out + 1] = k end
  table.sort(out)
  return out
end

-- The reason's first word (refused, dropped, unresolved, unreachable).
test("ClusterIP from a pod on each node enters through that pod's node", function()
  fresh()
  backend("web-1", "node-2")
  webService("web")
  for _, n in ipairs { "node-1", "node-2", "node-3" } do
    local client = addPod("client-" .. n, { node = n })
    local r, why = connect(client.name, "web:80")
    assert(r, why)
    assertEqual({ pod = r.pod, node = r.node, entryNode = r.entryNode, sourceIP = r.sourceIP,
      port = r.port, servicePort = r.servicePort, service = r.service, podIP = r.podIP },
      { pod = "web-1", node = "node-2", entryNode = n, sourceIP = client.ip, port = 8080,
        servicePort = 80, service = "web", podIP = getPod("web-1").ip })
  end
end)

test("a ClusterIP backend on another node is reached through the tunnel with the pod's IP", function()
  fresh()
  backend("web-1", "node-2")
  webService("web")
  local client = addPod("client", { node = "node-1" })
  local r = assert(connect("client", "web:80"))
  local want = "IP-in-IP tunnel " .. nodeIP("node-1") .. " -> " .. nodeIP("node-2")
  assert(hopsText(r):find(want, 1, true), hopsText(r))
  assertEqual(r.sourceIP, client.ip)
  local t = trace("client", "web:80")
  assert(tostring(t):find(want, 1, true), tostring(t))
  assert(not tostring(t):find("MASQUERADE", 1, true), "pod to ClusterIP is not masqueraded")
end)

test("a ClusterIP backend on the same node is reached over the veth", function()
  fresh()
  backend("web-1", "node-1")
  webService("web")
  addPod("client", { node = "node-1" })
  local r = assert(connect("client", "web:80"))
  assert(hopsText(r):find("veth", 1, true), hopsText(r))
  assert(not hopsText(r):find("tunnel", 1, true), hopsText(r))
end)

test("a DNS name target is resolved through the pod's search path", function()
  fresh()
  backend("web-1", "node-1")
  local svc = webService("web")
  addPod("client", { node = "node-2" })
  local t = trace("client", "web:80")
  assertEqual(t.ok, true)
  local dns = {}
  for _, s in ipairs(t.steps) do if s.kind == "dns" then dns[#dns + 1] = s.text end end
  assert(dns[1]:find("web.default.svc.cluster.local.", 1, true), dns[1])
  assert(tostring(t):find("resolved to " .. svc.clusterIP, 1, true), tostring(t))
end)

test("NodePort with externalTrafficPolicy Cluster on a node without local pods is SNATed", function()
  fresh()
  backend("web-1", "node-1")
  local np = webService("web", { type = "NodePort" }).ports[1].nodePort
  local r, why = connect({ external = CLIENT }, nodeIP("node-3") .. ":" .. np)
  assert(r, why)
  assertEqual({ entryNode = r.entryNode, node = r.node, pod = r.pod },
    { entryNode = "node-3", node = "node-1", pod = "web-1" })
  -- MASQUERADE picks the address of the way out: node-3's tunnel address towards node-1.
  assertEqual(r.sourceIP, tunnelIP("node-3"))
  assert(hopsText(r):find("MASQUERADE", 1, true), hopsText(r))
end)

test("NodePort with externalTrafficPolicy Local on a node without local pods is dropped", function()
  fresh()
  backend("web-1", "node-1")
  local np = webService("web", { type = "NodePort", externalTrafficPolicy = "Local" }).ports[1].nodePort
  local r, why = connect({ external = CLIENT }, nodeIP("node-3") .. ":" .. np)
  assertEqual(r, nil)
  assertEqual(word(why), "dropped")
  assert(why:find("default/web:http has no local endpoints", 1, true), why)
  -- The node with the pod serves it and keeps the client's address.
  local ok = assert(connect({ external = CLIENT }, nodeIP("node-1") .. ":" .. np))
  assertEqual({ pod = ok.pod, sourceIP = ok.sourceIP }, { pod = "web-1", sourceIP = CLIENT })
end)

test("LoadBalancer with externalTrafficPolicy Local keeps the client IP and uses only nodes with endpoints", function()
  fresh()
  backend("web-1", "node-1")
  backend("web-2", "node-3")
  local svc = webService("web", { type = "LoadBalancer", externalTrafficPolicy = "Local" })
  local vip = svc.loadBalancerIngress[1]
  local entries, sources = {}, {}
  for _ = 1, 60 do
    local r, why = connect({ external = CLIENT }, vip .. ":80")
    assert(r, why)
    entries[r.entryNode] = true
    sources[r.sourceIP] = true
    assertEqual(r.node, r.entryNode, "Local policy serves from the entry node's own pods")
  end
  assertEqual(keys(entries), { "node-1", "node-3" })
  assertEqual(keys(sources), { CLIENT })
end)

test("LoadBalancer with externalTrafficPolicy Cluster SNATs to the entry node", function()
  fresh()
  backend("web-1", "node-1")
  local vip = webService("web", { type = "LoadBalancer" }).loadBalancerIngress[1]
  local entries = {}
  for _ = 1, 60 do
    local r = assert(connect({ external = CLIENT }, vip .. ":80"))
    entries[r.entryNode] = true
    local want = r.entryNode == "node-1" and nodeIP("node-1") or tunnelIP(r.entryNode)
    assertEqual(r.sourceIP, want, "source seen from " .. r.entryNode)
  end
  assertEqual(keys(entries), { "node-1", "node-2", "node-3" })
end)

test("distribution over 10,000 connections is uniform within 3 % for 3 endpoints", function()
  fresh()
  backend("web-1", "node-1")
  backend("web-2", "node-2")
  backend("web-3", "node-3")
  webService("web")
  addPod("client", { node = "node-1" })
  seed(2024)
  local d = distribution("client", "web:80", 10000)
  assertEqual(keys(d), { "web-1", "web-2", "web-3" })
  local total = 0
  for name, count in pairs(d) do
    total = total + count
    assert(math.abs(count - 10000 / 3) <= 10000 / 3 * 0.03, name .. " got " .. count)
  end
  assertEqual(total, 10000)
end)

test("distribution counts failures under their reason word", function()
  fresh()
  webService("web")
  addPod("client", { node = "node-1" })
  assertEqual(distribution("client", "web:80", 25), { refused = 25 })
  assertEqual(distribution("client", "nope:80", 5), { unresolved = 5 })
end)

test("the same seed gives the same choices", function()
  fresh()
  backend("web-1", "node-1")
  backend("web-2", "node-2")
  webService("web")
  addPod("client", { node = "node-3" })
  local function run()
    seed(99)
    local out = {}
    for i = 1, 20 do out[i] = connect("client", "web:80").pod end
    return out
  end
  assertEqual(run(), run())
end)

test("kube-proxy's chain names for the kubernetes and kube-dns Services", function()
  fresh()
  addPod("client", { node = "node-2" })
  local t = tostring(trace("client", "kubernetes.default:443"))
  assert(t:find("KUBE-SVC-NPX46M4PTMTKRN6Y", 1, true), t)
  local save = iptablesSave("node-1")
  assert(save:find(":KUBE-SVC-NPX46M4PTMTKRN6Y - [0:0]", 1, true), save)
  assert(save:find(":KUBE-SVC-TCOU7JCQXEZGVUNU - [0:0]", 1, true), save)
  assert(save:find('"kube-system/kube-dns:dns cluster IP" -m udp -p udp -d 10.96.0.10 --dport 53 -j KUBE-SVC-TCOU7JCQXEZGVUNU', 1, true), save)
  local dns = tostring(trace("client", "10.96.0.10:53", { protocol = "UDP" }))
  assert(dns:find("KUBE-SVC-TCOU7JCQXEZGVUNU", 1, true), dns)
end)

test("a Service without endpoints is refused with kube-proxy's REJECT rule", function()
  fresh()
  webService("web")
  addPod("client", { node = "node-1" })
  local r, why = connect("client", "web:80")
  assertEqual(r, nil)
  assertEqual(why, "refused: default/web:http has no endpoints")
  local t = trace("client", "web:80")
  assertEqual(t.ok, false)
  assert(tostring(t):find('"default/web:http has no endpoints"', 1, true), tostring(t))
  assert(tostring(t):find("-j REJECT", 1, true), tostring(t))
end)

test("a name that does not resolve is unresolved", function()
  fresh()
  addPod("client", { node = "node-1" })
  local r, why = connect("client", "nothing-here:80")
  assertEqual(r, nil)
  assertEqual(word(why), "unresolved")
  local t = trace("client", "nothing-here:80")
  assertEqual(t.ok, false)
  assertEqual(word(t.reason), "unresolved")
end)

test("a ClusterIP is unreachable from outside the cluster", function()
  fresh()
  backend("web-1", "node-1")
  local svc = webService("web")
  local r, why = connect({ external = CLIENT }, svc.clusterIP .. ":80")
  assertEqual(r, nil)
  assertEqual(word(why), "unreachable")
end)

test("an unknown port on a ClusterIP is unreachable in iptables mode", function()
  fresh()
  backend("web-1", "node-1")
  local svc = webService("web")
  addPod("client", { node = "node-2" })
  local r, why = connect("client", svc.clusterIP .. ":81")
  assertEqual(r, nil)
  assertEqual(word(why), "unreachable")
end)

test("a pod IP is reached directly, without kube-proxy", function()
  fresh()
  local web = backend("web-1", "node-3")
  local client = addPod("client", { node = "node-1" })
  local r = assert(connect("client", web.ip .. ":8080"))
  assertEqual({ pod = r.pod, service = r.service, servicePort = r.servicePort, sourceIP = r.sourceIP },
    { pod = "web-1", service = nil, servicePort = nil, sourceIP = client.ip })
  local _, why = connect("client", web.ip .. ":9999")
  assertEqual(word(why), "refused")
end)

test("a headless Service name connects straight to a pod IP", function()
  fresh()
  local web = backend("web-1", "node-2")
  createService("web", { clusterIP = "None", selector = { app = "web" },
    ports = { { name = "http", port = 8080 } } })
  local client = addPod("client", { node = "node-1" })
  local r, why = connect("client", "web:8080")
  assert(r, why)
  assertEqual({ pod = r.pod, podIP = r.podIP, service = r.service, sourceIP = r.sourceIP },
    { pod = "web-1", podIP = web.ip, service = nil, sourceIP = client.ip })
  assert(not hopsText(r):find("KUBE-SVC", 1, true), hopsText(r))
end)

test("a pod reaching itself through its Service is masqueraded (hairpin)", function()
  fresh()
  local web = backend("web-1", "node-2")
  webService("web")
  local r = assert(connect("web-1", "web:80"))
  assertEqual(r.pod, "web-1")
  assert(r.sourceIP ~= web.ip, "hairpin traffic must not keep the pod's own address")
  assertEqual(r.sourceIP, nodeIP("node-2"))
  local t = tostring(trace("web-1", "web:80"))
  assert(t:find("-s " .. web.ip .. " -j KUBE-MARK-MASQ", 1, true), t)
  assert(t:find("MASQUERADE", 1, true), t)
end)

test("a node process reaching a ClusterIP is masqueraded", function()
  fresh()
  backend("web-1", "node-2")
  local svc = webService("web")
  local r = assert(connect({ node = "node-1" }, svc.clusterIP .. ":80"))
  assertEqual(r.entryNode, "node-1")
  assert(r.sourceIP == nodeIP("node-1") or r.sourceIP == tunnelIP("node-1"), r.sourceIP)
  assert(hopsText(r):find("KUBE-MARK-MASQ", 1, true), hopsText(r))
end)

test("a node's own resolver knows no cluster names", function()
  fresh()
  backend("web-1", "node-2")
  webService("web")
  local r, why = connect({ node = "node-1" }, "web.default.svc.cluster.local:80")
  assertEqual(r, nil)
  assertEqual(word(why), "unresolved")
end)

test("a kept connection can be closed once", function()
  fresh()
  backend("web-1", "node-1")
  webService("web")
  addPod("client", { node = "node-1" })
  local r = assert(connect("client", "web:80", { keep = true }))
  disconnect(r)
  assertError(function() disconnect(r) end, "is not open")
end)

test("bad `from` arguments are errors", function()
  fresh()
  backend("web-1", "node-1")
  webService("web")
  assertError(function() connect("nobody", "web:80") end, 'connect: pods "nobody" not found')
  assertError(function() connect({ pod = "nobody" }, "web:80") end, 'pods "nobody" not found')
  assertError(function() connect({ node = "node-9" }, "web:80") end, 'nodes "node%-9" not found')
  assertError(function() connect({}, "web:80") end, "^[^\n]*connect: bad argument #1")
  assertError(function() connect({ external = "not-an-ip" }, "web:80") end, "connect: bad argument #1")
  assertError(function() connect(42, "web:80") end, "connect: bad argument #1")
end)

test("bad targets and options are errors", function()
  fresh()
  backend("web-1", "node-1")
  webService("web")
  addPod("client", { node = "node-1" })
  assertError(function() connect("client", "web:99999") end, "connect: bad argument #2 %(bad port 99999")
  assertError(function() connect("client", "web:0") end, "connect: bad argument #2 %(bad port 0")
  assertError(function() connect("client", "web:nope") end, 'connect: bad argument #2 %(bad port "nope"')
  assertError(function() connect("client", "web:80", { protocol = "ICMP" }) end,
    'connect: opts.protocol: Unsupported value: "ICMP"')
  assertError(function() connect("client", "web:80", { bogus = 1 }) end, "connect: .*opts.bogus")
  assertError(function() connect("client", "web:80", { sourcePort = 70000 }) end,
    "connect: opts.sourcePort: Invalid value: 70000")
  assertError(function() distribution("client", "web:80", 0) end, "distribution: bad argument #3")
end)

test("a port named by the Service works as a target", function()
  fresh()
  backend("web-1", "node-1")
  webService("web")
  addPod("client", { node = "node-1" })
  local r = assert(connect("client", "web:http"))
  assertEqual(r.servicePort, 80)
end)

test("trace(result) retraces that very connection: same backend, same source port", function()
  fresh()
  for i = 1, 3 do backend("web-" .. i, "node-" .. i) end
  webService("web")
  addPod("client", { node = "node-1" })
  local backends, fresh_differs = {}, false
  for i = 1, 60 do
    local r = assert(connect("client", i % 2 == 0 and "web:80" or "web.default:80"))
    local t = trace(r)
    assertEqual(t.ok, true)
    assertEqual(t.result.pod, r.pod)
    assertEqual(t.result.podIP, r.podIP)
    assertEqual(t.result.id, r.id)
    assertEqual(t.result.sourceIP, r.sourceIP)
    -- the hops of the trace, past its DNS steps, are the connection's own (source port included)
    local k = 0
    for _, s in ipairs(t.steps) do
      if s.kind ~= "dns" then
        k = k + 1
        assert(r.hops[k] and r.hops[k]:find(s.text, 1, true), tostring(r.hops[k]) .. " / " .. s.text)
      end
    end
    assertEqual(k, #r.hops)
    assertEqual(tostring(t):match("%d+%.%d+%.%d+%.%d+:(%d+) %->"), r.hops[1]:match("%d+%.%d+%.%d+%.%d+:(%d+) %->"))
    backends[r.pod] = true
    -- a new connection is drawn afresh
    local new = trace("client", "web:80")
    if new.result.pod ~= r.pod or new.steps[1].text ~= t.steps[1].text then fresh_differs = true end
  end
  assertEqual({ backends["web-1"], backends["web-2"], backends["web-3"] }, { true, true, true })
  assert(fresh_differs, "trace(from, target) makes new connections")
end)

test("trace(result) refuses what is not a connect result", function()
  fresh()
  assertError(function() trace({}) end, "trace: bad argument #1 %(not a connect result")
  assertError(function() trace({ id = 123456, hops = {} }) end, "trace: connection 123456 is too old to trace")
end)

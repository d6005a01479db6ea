-- Traffic policies in kube-proxy: internalTrafficPolicy Local, ClientIP session affinity,
-- terminating endpoints as a fallback, loadBalancerSourceRanges and external IPs.

local CLIENT = "203.0.113.7"

-- Shared helpers: backend pods, the web Service, the first word of a failure reason.
local support = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "../support/traffic.lua")
local backend, webService, word = support.backend, support.webService, support.word

local function fresh()
  reset {}
  seed(11)
end

local function pods(n, from, target, opts)
  local set = {}
  for _ = 1, n do
    local r, why = connect(from, target, opts)
    assert(r, why)
    set[r.pod] = true
  end
  local out = {}
  for k in pairs(set) do out[#out + 1] = k end
  table.sort(out)
  return out
end

test("internalTrafficPolicy Local uses only the client node's endpoints", function()
  fresh()
  backend("web-1", "node-1")
  backend("web-2", "node-2")
  webService("web", { internalTrafficPolicy = "Local" })
  addPod("c1", { node = "node-1" })
  addPod("c2", { node = "node-2" })
  assertEqual(pods(30, "c1", "web:80"), { "web-1" })
  assertEqual(pods(30, "c2", "web:80"), { "web-2" })
end)

test("internalTrafficPolicy Local drops traffic on a node without local endpoints", function()
  fresh()
  backend("web-1", "node-1")
  webService("web", { internalTrafficPolicy = "Local" })
  addPod("c3", { node = "node-3" })
  local r, why = connect("c3", "web:80")
  assertEqual(r, nil)
  assertEqual(why, "dropped: default/web:http has no local endpoints on node-3")
  local t = tostring(trace("c3", "web:80"))
  assert(t:find('"default/web:http has no local endpoints"', 1, true), t)
  assert(t:find("-j DROP", 1, true), t)
end)

test("internalTrafficPolicy Local with no endpoints anywhere is refused", function()
  fresh()
  webService("web", { internalTrafficPolicy = "Local" })
  addPod("c1", { node = "node-1" })
  local _, why = connect("c1", "web:80")
  assertEqual(why, "refused: default/web:http has no endpoints")
end)

test("internalTrafficPolicy does not apply to NodePorts", function()
  fresh()
  backend("web-1", "node-1")
  local np = webService("web", { type = "NodePort", internalTrafficPolicy = "Local" }).ports[1].nodePort
  local r, why = connect({ external = CLIENT }, getNode("node-3").ip .. ":" .. np)
  assert(r, why)
  assertEqual(r.pod, "web-1")
end)

test("ClientIP affinity sticks to one endpoint until the timeout passes", function()
  fresh()
  backend("web-1", "node-1")
  backend("web-2", "node-2")
  backend("web-3", "node-3")
  webService("web", { sessionAffinity = "ClientIP", sessionAffinityTimeout = 60 })
  addPod("client", { node = "node-1" })
  local first = assert(connect("client", "web:80")).pod
  assertEqual(pods(50, "client", "web:80"), { first })
  advance(30)
  assertEqual(pods(10, "client", "web:80"), { first })
  -- Each connection refreshes the record; past the timeout with no traffic it is forgotten
  -- and the random rules choose again.
  local chosen = {}
  for _ = 1, 40 do
    advance(61)
    chosen[assert(connect("client", "web:80")).pod] = true
  end
  local n = 0
  for _ in pairs(chosen) do n = n + 1 end
  assert(n > 1, "after the timeout the choice is random again")
end)

test("ClientIP affinity is per client address", function()
  fresh()
  for i = 1, 3 do backend("web-" .. i, "node-" .. i) end
  webService("web", { sessionAffinity = "ClientIP" })
  local chosen = {}
  for i = 1, 20 do
    addPod("c" .. i, { node = "node-1" })
    local p = pods(5, "c" .. i, "web:80")
    assertEqual(#p, 1)
    chosen[p[1]] = true
  end
  local n = 0
  for _ in pairs(chosen) do n = n + 1 end
  assert(n > 1, "different clients spread over the endpoints")
end)

test("ClientIP affinity shows kube-proxy's recent-list rule in iptables", function()
  fresh()
  backend("web-1", "node-1")
  webService("web", { sessionAffinity = "ClientIP", sessionAffinityTimeout = 600 })
  addPod("client", { node = "node-1" })
  connect("client", "web:80")
  local t = tostring(trace("client", "web:80"))
  assert(t:find("--rcheck --seconds 600 --reap", 1, true), t)
  local save = iptablesSave("node-1")
  assert(save:find("%-m recent %-%-name KUBE%-SEP%-%w+ %-%-set"), save)
end)

test("terminating endpoints serve when no endpoint is ready", function()
  fresh()
  backend("web-1", "node-2")
  webService("web")
  addPod("client", { node = "node-1" })
  deletePod("web-1", { grace = 30 })
  local ep = endpoints("web")[1]
  assertEqual({ ready = ep.ready, serving = ep.serving, terminating = ep.terminating },
    { ready = false, serving = true, terminating = true })
  local r, why = connect("client", "web:80")
  assert(r, why)
  assertEqual(r.pod, "web-1")
  advance(31)
  local _, gone = connect("client", "web:80")
  assertEqual(gone, "refused: default/web:http has no endpoints")
end)

test("ready endpoints are preferred over terminating ones", function()
  fresh()
  backend("web-1", "node-1")
  backend("web-2", "node-2")
  webService("web")
  addPod("client", { node = "node-3" })
  deletePod("web-1", { grace = 30 })
  assertEqual(pods(40, "client", "web:80"), { "web-2" })
end)

test("a terminating endpoint that is not serving is never used", function()
  fresh()
  backend("web-1", "node-1")
  webService("web")
  addPod("client", { node = "node-3" })
  setPodReady("web-1", false)
  deletePod("web-1", { grace = 30 })
  local _, why = connect("client", "web:80")
  assertEqual(why, "refused: default/web:http has no endpoints")
end)

test("externalTrafficPolicy Local: the only endpoint terminating on another node", function()
  -- kube-proxy's TestTerminatingEndpointsTrafficPolicyLocal: pod traffic to the ClusterIP uses
  -- it, external traffic is dropped (an endpoint exists, so no REJECT).
  fresh()
  backend("web-1", "node-2")
  local svc = webService("web", { type = "LoadBalancer", externalTrafficPolicy = "Local" })
  local np = svc.ports[1].nodePort
  addPod("client", { node = "node-1" })
  deletePod("web-1", { grace = 30 })
  assertEqual(assert(connect("client", "web:80")).pod, "web-1")
  local _, why = connect({ external = CLIENT }, getNode("node-1").ip .. ":" .. np)
  assertEqual(word(why), "dropped")
end)

test("externalTrafficPolicy Local: a local terminating endpoint serves external traffic", function()
  -- On the node, only a serving-terminating endpoint; a ready one elsewhere: pods use the
  -- ready remote one, external traffic to this node the local terminating one.
  fresh()
  backend("web-1", "node-1")
  backend("web-2", "node-2")
  local np = webService("web", { type = "NodePort", externalTrafficPolicy = "Local" }).ports[1].nodePort
  addPod("client", { node = "node-1" })
  deletePod("web-1", { grace = 30 })
  assertEqual(pods(20, "client", "web:80"), { "web-2" })
  local r = assert(connect({ external = CLIENT }, getNode("node-1").ip .. ":" .. np))
  assertEqual({ pod = r.pod, sourceIP = r.sourceIP }, { pod = "web-1", sourceIP = CLIENT })
end)

test("pod traffic to an externalTrafficPolicy Local NodePort short-circuits to all endpoints", function()
  fresh()
  backend("web-1", "node-2")
  local np = webService("web", { type = "NodePort", externalTrafficPolicy = "Local" }).ports[1].nodePort
  local client = addPod("client", { node = "node-3" })
  local r, why = connect("client", getNode("node-3").ip .. ":" .. np)
  assert(r, why)
  assertEqual({ pod = r.pod, sourceIP = r.sourceIP }, { pod = "web-1", sourceIP = client.ip })
  local t = tostring(trace("client", getNode("node-3").ip .. ":" .. np))
  assert(t:find("pod traffic for default/web:http external destinations", 1, true), t)
end)

test("a node process to an externalTrafficPolicy Local NodePort is routed and masqueraded", function()
  fresh()
  backend("web-1", "node-2")
  local np = webService("web", { type = "NodePort", externalTrafficPolicy = "Local" }).ports[1].nodePort
  local r, why = connect({ node = "node-3" }, getNode("node-3").ip .. ":" .. np)
  assert(r, why)
  assertEqual(r.pod, "web-1")
  local t = tostring(trace({ node = "node-3" }, getNode("node-3").ip .. ":" .. np))
  assert(t:find("route LOCAL traffic for default/web:http external destinations", 1, true), t)
  assert(t:find("MASQUERADE", 1, true), t)
end)

test("loadBalancerSourceRanges admit listed clients and drop the rest", function()
  fresh()
  backend("web-1", "node-1")
  local vip = webService("web", { type = "LoadBalancer",
    loadBalancerSourceRanges = { "203.0.113.0/24" } }).loadBalancerIngress[1]
  assert(connect({ external = CLIENT }, vip .. ":80"))
  local r, why = connect({ external = "198.18.0.9" }, vip .. ":80")
  assertEqual(r, nil)
  assertEqual(word(why), "dropped")
  local t = tostring(trace({ external = "198.18.0.9" }, vip .. ":80"))
  assert(t:find("KUBE-PROXY-FIREWALL", 1, true), t)
end)

test("an external IP reaches the Service with SNAT under Cluster policy", function()
  fresh()
  backend("web-1", "node-2")
  webService("web", { externalIPs = { "192.0.2.10" }, externalTrafficPolicy = "Cluster" })
  local r, why = connect({ external = CLIENT }, "192.0.2.10:80")
  assert(r, why)
  assertEqual(r.pod, "web-1")
  assert(r.sourceIP ~= CLIENT, "Cluster policy masquerades external traffic")
  local t = tostring(trace({ external = CLIENT }, "192.0.2.10:80"))
  assert(t:find('"default/web:http external IP"', 1, true), t)
end)

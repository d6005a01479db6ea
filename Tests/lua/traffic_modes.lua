-- kube-proxy's modes: IPVS schedulers and `ipvsadm -Ln` counters, nftables' ruleset and its
-- differences from iptables, and a different mode on one node.

local CLIENT = "203.0.113.7"

-- Shared helpers: backend pods, the web Service, the first word of a failure reason.
local support = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "../support/traffic.lua")
local backend, webService, word = support.backend, support.webService, support.word

local function fresh()
  reset {}
  seed(5)
end

local function threeBackends(spec)
  for i = 1, 3 do backend("web-" .. i, "node-" .. i) end
  spec = spec or {}
  spec.selector = { app = "web" }
  spec.ports = { { name = "http", port = 80, targetPort = 8080 } }
  return createService("web", spec)
end

local function escape(s) return (s:gsub("%p", "%%%0")) end

-- The real servers of one virtual server in `ipvsadm -Ln` output:
-- { ["ip:port"] = {weight=, active=, inactive=} }.
local function realServers(text, vs)
  local out, inside = {}, false
  for line in text:gmatch("[^\n]+") do
    if line:match("^%u+%s") then
      inside = line:match("^%u+%s+(%S+)") == vs
    elseif inside then
      local addr, w, a, i = line:match("^%s+%->%s+(%S+)%s+Masq%s+(%d+)%s+(%d+)%s+(%d+)")
      if addr then out[addr] = { weight = tonumber(w), active = tonumber(a), inactive = tonumber(i) } end
    end
  end
  return out
end

test("IPVS rr takes the real servers in turn", function()
  fresh()
  threeBackends()
  addPod("client", { node = "node-1" })
  setProxyMode("ipvs", { scheduler = "rr" })
  local seq, count = {}, {}
  for i = 1, 9 do
    seq[i] = assert(connect("client", "web:80")).pod
    count[seq[i]] = (count[seq[i]] or 0) + 1
  end
  assertEqual(count, { ["web-1"] = 3, ["web-2"] = 3, ["web-3"] = 3 })
  for i = 1, 6 do assertEqual(seq[i + 3], seq[i], "turn " .. i) end
  assert(seq[1] ~= seq[2] and seq[2] ~= seq[3] and seq[1] ~= seq[3], table.concat(seq, " "))
end)

test("IPVS sh sends one source to one real server", function()
  fresh()
  threeBackends()
  setProxyMode("ipvs", { scheduler = "sh" })
  local perClient, all = {}, {}
  for i = 1, 12 do
    local name = "c" .. i
    addPod(name, { node = "node-1" })
    for _ = 1, 4 do
      local r = assert(connect(name, "web:80"))
      perClient[name] = perClient[name] or r.pod
      assertEqual(r.pod, perClient[name], name .. " stays on one server")
    end
    all[perClient[name]] = true
  end
  local n = 0
  for _ in pairs(all) do n = n + 1 end
  assert(n > 1, "different sources hash to different servers")
end)

test("ipvsadm counts kept connections as active until disconnect", function()
  fresh()
  local svc = threeBackends()
  addPod("client", { node = "node-1" })
  setProxyMode("ipvs", { scheduler = "rr" })
  local vs = svc.clusterIP .. ":80"
  local before = realServers(ipvsadm("node-1"), vs)
  assertEqual(#(function() local t = {} for k in pairs(before) do t[#t + 1] = k end return t end)(), 3)
  for _, rs in pairs(before) do assertEqual({ rs.weight, rs.active, rs.inactive }, { 1, 0, 0 }) end
  local a = assert(connect("client", "web:80", { keep = true }))
  local b = assert(connect("client", "web:80", { keep = true }))
  local rs = realServers(ipvsadm("node-1"), vs)
  assertEqual(rs[a.podIP .. ":8080"].active, 1)
  assertEqual(rs[b.podIP .. ":8080"].active, 1)
  disconnect(a)
  rs = realServers(ipvsadm("node-1"), vs)
  assertEqual(rs[a.podIP .. ":8080"].active, 0)
  assertEqual(rs[a.podIP .. ":8080"].inactive, 1)
  assertEqual(rs[b.podIP .. ":8080"].active, 1)
  -- Other nodes saw no traffic.
  for _, r in pairs(realServers(ipvsadm("node-2"), vs)) do assertEqual(r.active + r.inactive, 0) end
end)

test("ipvsadm shows the persistence of ClientIP affinity", function()
  fresh()
  local svc = threeBackends { sessionAffinity = "ClientIP", sessionAffinityTimeout = 300 }
  setProxyMode("ipvs")
  local text = ipvsadm("node-1")
  assert(text:find("TCP  " .. escape(svc.clusterIP) .. ":80 rr persistent 300"), text)
  addPod("client", { node = "node-1" })
  local first = assert(connect("client", "web:80")).pod
  for _ = 1, 10 do assertEqual(assert(connect("client", "web:80")).pod, first) end
end)

test("ipvsadm prints its header and the kube-dns virtual servers", function()
  fresh()
  setProxyMode("ipvs")
  local text = ipvsadm("node-1")
  assert(text:find("^IP Virtual Server version 1%.2%.1 %(size=4096%)\n"), text)
  assert(text:find("Prot LocalAddress:Port Scheduler Flags", 1, true), text)
  assert(text:find("UDP  10.96.0.10:53 rr", 1, true), text)
  assertEqual(ipvsadm("node-1"):find("KUBE%-SVC"), nil)
end)

test("IPVS rejects an unknown port on a ClusterIP", function()
  fresh()
  local svc = threeBackends()
  addPod("client", { node = "node-1" })
  setProxyMode("ipvs")
  local _, why = connect("client", svc.clusterIP .. ":81")
  assertEqual(word(why), "refused")
end)

test("IPVS masquerades NodePort traffic under Cluster policy", function()
  fresh()
  backend("web-1", "node-1")
  local svc = createService("web", { type = "NodePort", selector = { app = "web" },
    ports = { { name = "http", port = 80, targetPort = 8080 } } })
  setProxyMode("ipvs")
  local r = assert(connect({ external = CLIENT }, getNode("node-2").ip .. ":" .. svc.ports[1].nodePort))
  assertEqual(r.pod, "web-1")
  assert(r.sourceIP ~= CLIENT, "external traffic is masqueraded")
end)

test("nftables ruleset holds the service chains and maps", function()
  fresh()
  threeBackends()
  setProxyMode("nftables")
  local text = nftRuleset("node-1")
  assert(text:find("^table ip kube%-proxy {"), text)
  assert(text:find("chain service-SUSTUHLJ-default/web/tcp/http {", 1, true), text)
  assert(text:find("chain service-2QRHZV4L-default/kubernetes/tcp/https {", 1, true), text)
  assert(text:find("service-FY5PMXPG-kube-system/kube-dns/udp/dns", 1, true), text)
  assert(text:find("numgen random mod 3 vmap", 1, true), text)
  assertEqual(iptablesSave("node-1"), "")
end)

test("nftables set elements are unique", function()
  fresh()
  threeBackends()
  setProxyMode("nftables")
  local text = nftRuleset("node-1")
  local body = text:match("set cluster%-ips {.-elements = {(.-)}")
  assert(body, text)
  local seen = {}
  for ip in body:gmatch("[%d%.]+") do
    assertEqual(seen[ip], nil, "duplicate element " .. ip)
    seen[ip] = true
  end
  assert(seen["10.96.0.10"] and seen["10.96.0.1"], body)
end)

test("a trace in nftables mode names nftables chains", function()
  fresh()
  threeBackends()
  setProxyMode("nftables")
  addPod("client", { node = "node-1" })
  local t = tostring(trace("client", "web:80"))
  assert(t:find("kube-proxy (nftables)", 1, true), t)
  assert(t:find("service-SUSTUHLJ-default/web/tcp/http", 1, true), t)
  assert(t:find("numgen random mod 3", 1, true), t)
  assertEqual(t:find("KUBE-SVC", 1, true), nil)
end)

test("NodePort on 127.0.0.1 works in iptables mode and not in nftables", function()
  fresh()
  local np = threeBackends { type = "NodePort" }.ports[1].nodePort
  local r, why = connect({ node = "node-1" }, "127.0.0.1:" .. np)
  assert(r, why)
  assertEqual(r.entryNode, "node-1")
  setProxyMode("nftables")
  local r2, why2 = connect({ node = "node-1" }, "127.0.0.1:" .. np)
  assertEqual(r2, nil)
  -- No rule takes it: the node's own kernel answers with a reset (the kernel matrix saw it).
  assertEqual(word(why2), "refused")
  -- The node's own address still works.
  assert(connect({ node = "node-1" }, getNode("node-1").ip .. ":" .. np))
end)

test("localhostNodePorts=false turns off 127.0.0.1 NodePorts in iptables mode", function()
  fresh()
  local np = threeBackends { type = "NodePort" }.ports[1].nodePort
  setProxyMode("iptables", { localhostNodePorts = false })
  local r, why = connect({ node = "node-1" }, "127.0.0.1:" .. np)
  assertEqual(r, nil)
  assertEqual(word(why), "refused")
  assert(iptablesSave("node-1"):find("! -d 127.0.0.0/8 -j KUBE-NODEPORTS", 1, true))
end)

test("nftables rejects an unknown port on a ClusterIP", function()
  fresh()
  local svc = threeBackends()
  addPod("client", { node = "node-1" })
  setProxyMode("nftables")
  local _, why = connect("client", svc.clusterIP .. ":81")
  assertEqual(word(why), "refused")
end)

test("nftables: no endpoints is refused, Local policy without local endpoints dropped", function()
  fresh()
  backend("web-1", "node-1")
  createService("empty", { selector = { app = "none" }, ports = { { port = 80 } } })
  local np = createService("web", { type = "NodePort", externalTrafficPolicy = "Local",
    selector = { app = "web" }, ports = { { name = "http", port = 80, targetPort = 8080 } } }).ports[1].nodePort
  setProxyMode("nftables")
  addPod("client", { node = "node-2" })
  assertEqual(word(select(2, connect("client", "empty:80"))), "refused")
  assertEqual(word(select(2, connect({ external = CLIENT }, getNode("node-2").ip .. ":" .. np))), "dropped")
  local r = assert(connect({ external = CLIENT }, getNode("node-1").ip .. ":" .. np))
  assertEqual(r.sourceIP, CLIENT)
end)

test("setProxyMode with a node changes that node only", function()
  fresh()
  threeBackends()
  setProxyMode("nftables", { node = "node-2" })
  assertEqual(iptablesSave("node-2"), "")
  assert(nftRuleset("node-2"):find("table ip kube-proxy", 1, true))
  assert(iptablesSave("node-1"):find("*nat", 1, true))
  assertEqual(nftRuleset("node-1"), "")
  addPod("c1", { node = "node-1" })
  addPod("c2", { node = "node-2" })
  assert(tostring(trace("c1", "web:80")):find("kube-proxy (iptables)", 1, true))
  assert(tostring(trace("c2", "web:80")):find("kube-proxy (nftables)", 1, true))
  -- A later cluster-wide call resets every node.
  setProxyMode("ipvs")
  assert(tostring(trace("c2", "web:80")):find("kube-proxy (ipvs, rr)", 1, true))
end)

test("bad proxy modes, schedulers and settings are errors that change nothing", function()
  fresh()
  assertError(function() setProxyMode("userspace") end, 'setProxyMode: unknown proxy mode "userspace"')
  assertError(function() setProxyMode("ipvs", { scheduler = "fifo" }) end,
    'setProxyMode: unknown IPVS scheduler "fifo"')
  assertError(function() setProxyMode("ipvs", { node = "node-9" }) end, 'setProxyMode: nodes "node%-9" not found')
  assertError(function() setProxyMode("iptables", { detectLocal = "Bridge" }) end, "setProxyMode: opts.detectLocal")
  assertError(function() setProxyMode("iptables", { nodePortAddresses = { "x" } }) end,
    "setProxyMode: opts.nodePortAddresses")
  assertError(function() setProxyMode("iptables", { bogus = true }) end, "setProxyMode: .*opts.bogus")
  assert(iptablesSave("node-1"):find("*nat", 1, true), "still in iptables mode")
  assertError(function() iptablesSave("node-9") end, 'iptablesSave: nodes "node%-9" not found')
end)

test("nftables drops traffic to unallocated ClusterIPs; iptables lets it go nowhere", function()
  reset {}
  addPod("c")
  setProxyMode("nftables")
  local r, why = connect("c", "10.96.5.5:80")
  assertEqual(r, nil)
  assertEqual(why, "dropped: 10.96.5.5 is not an allocated ClusterIP")
  assert(nftRuleset("node-1"):find('ip daddr 10.96.0.0/12 drop comment "Drop traffic to unallocated ClusterIPs"', 1, true))
  setProxyMode("iptables")
  r, why = connect("c", "10.96.5.5:80")
  assert(why:find("^unreachable"), why)
end)

test("in IPVS mode iptablesSave shows the ipset-matching rules, not per-Service chains", function()
  reset {}
  setProxyMode("ipvs")
  local rules = iptablesSave("node-1")
  assert(rules:find("-m set --match-set KUBE-CLUSTER-IP dst,dst", 1, true), rules)
  assert(rules:find("-A KUBE-MARK-MASQ -j MARK --or-mark 0x004000", 1, true), rules)
  assertEqual(rules:find("KUBE-SVC-", 1, true), nil)
  setProxyMode("nftables")
  assertEqual(iptablesSave("node-1"), "")
end)

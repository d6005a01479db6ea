--- kube-proxy: the rules on every node
--
-- A ClusterIP is not assigned to any machine. kube-proxy, which runs on every
-- node, watches Services and EndpointSlices and writes packet-rewriting rules
-- into the node's kernel: a connection to the ClusterIP is rewritten (DNAT) to
-- one endpoint, right on the node where the client runs. This tutorial reads
-- those rules in kube-proxy's three modes: iptables, IPVS and nftables.

--- step: The same rules on every node
-- One Service with three endpoints. Every node's iptables rules have a chain for
-- it, named `KUBE-SVC-` plus a hash of the Service's name, port name and
-- protocol, so the name is the same on every node.
test("The same rules on every node", function()
  reset{}
  seed(4)
  createDeployment("web", { replicas = 3, labels = { app = "web" },
    ports = { { name = "http", containerPort = 8080 } } })
  local svc = createService("web", { selector = { app = "web" },
    ports = { { name = "http", port = 80, targetPort = "http" } } })
  local rules = iptablesSave("node-1")
  --- check
  local chains = {}
  for _, node in ipairs(nodes()) do
    local rules = iptablesSave(node.name)
    local chain = rules:match('"default/web:http cluster IP".--dport 80 %-j (KUBE%-SVC%-%w+)')
    assert(chain, rules)
    assert(rules:find("-d " .. svc.clusterIP .. "/32", 1, true)
      or rules:find("-d " .. svc.clusterIP .. " ", 1, true), "rule matches the ClusterIP")
    chains[#chains + 1] = node.name .. ": " .. chain
  end
  assertEqual(chains[1]:match("KUBE.*"), chains[2]:match("KUBE.*"))
  assertEqual(chains[1]:match("KUBE.*"), chains[3]:match("KUBE.*"))
  return table.concat(chains, "\n")
end)

--- step: How one node's rules spread connections
-- In the Service's chain, one rule per endpoint jumps to that endpoint's
-- `KUBE-SEP-` chain, which does the DNAT. The first rule matches with
-- probability 1/3, the second with 1/2 of what is left, the last always: each
-- endpoint gets a third. `distribution` makes 3000 connections from a pod on
-- node-1 and counts where they land.
test("How one node's rules spread connections", function()
  addPod("client", { node = "node-1" })
  local rules = iptablesSave("node-1")
  --- check
  local chain = rules:match('"default/web:http cluster IP".--dport 80 %-j (KUBE%-SVC%-%w+)')
  local lines = {}
  for line in rules:gmatch("[^\n]+") do
    if line:find("-A " .. chain .. " ", 1, true) and line:find("KUBE-SEP-", 1, true) then
      lines[#lines + 1] = line
    end
  end
  assertEqual(#lines, 3)
  assert(lines[1]:find("--probability 0.3333333333", 1, true), lines[1])
  assert(lines[2]:find("--probability 0.5000000000", 1, true), lines[2])
  assert(not lines[3]:find("probability", 1, true), lines[3])
  --- end
  local counts = distribution("client", "web:80", 3000)
  --- check
  local total = 0
  for name, n in pairs(counts) do
    assertEqual(getPod(name).labels.app, "web")
    assert(n > 850 and n < 1150, name .. " got " .. n)
    total = total + n
  end
  assertEqual(total, 3000)
  return table.concat(lines, "\n"), counts
end)

--- step: What iptablesSave shows
-- `iptablesSave` is exactly what kube-proxy hands to `iptables-restore`: the
-- `*filter` and `*nat` tables with only the KUBE chains it owns. Here is the
-- part of `*nat` for our Service: the ClusterIP match in KUBE-SERVICES, the
-- KUBE-MARK-MASQ rule for traffic from outside the pod network, the spreading
-- rules, and each endpoint's DNAT.
test("What iptablesSave shows", function()
  local rules = iptablesSave("node-1")
  --- check
  assert(rules:find("*nat", 1, true) and rules:find("*filter", 1, true))
  local mine = {}
  for line in rules:gmatch("[^\n]+") do
    if line:find("default/web:http", 1, true) then mine[#mine + 1] = line end
  end
  local dnat = 0
  for _, ep in ipairs(endpoints("web")) do
    for _, line in ipairs(mine) do
      if line:find("--to-destination " .. ep.ip .. ":" .. ep.port, 1, true) then dnat = dnat + 1 end
    end
  end
  assertEqual(dnat, 3)
  return table.concat(mine, "\n")
end)

--- step: The same Service under IPVS
-- In IPVS mode the ClusterIP is a virtual server in the kernel's load balancer,
-- with one real server per endpoint and a scheduler; `rr` (round robin) takes
-- them in turn, so six connections land exactly two on each pod.
test("The same Service under IPVS", function()
  setProxyMode("ipvs", { scheduler = "rr" })
  local table_ = ipvsadm("node-1")
  local counts = distribution("client", "web:80", 6)
  --- check
  local svc = getService("web")
  assert(table_:find("TCP  " .. svc.clusterIP .. ":80 rr", 1, true), table_)
  for _, ep in ipairs(endpoints("web")) do
    assert(table_:find("-> " .. ep.ip .. ":" .. ep.port, 1, true), table_)
  end
  for name, n in pairs(counts) do
    assertEqual(getPod(name).labels.app, "web")
    assertEqual(n, 2)
  end
  local block, inside = {}, false
  for line in table_:gmatch("[^\n]+") do
    if line:find("^%u%u%u  ") then inside = line:find(svc.clusterIP .. ":80 ", 1, true) ~= nil end
    if inside then block[#block + 1] = line end
  end
  return table.concat(block, "\n"), counts
end)

--- step: The same Service under nftables
-- The nftables mode keeps one table, `ip kube-proxy`. A map from ClusterIP,
-- protocol and port sends the packet to the Service's chain, where
-- `numgen random mod 3` picks one endpoint chain, which does the DNAT.
test("The same Service under nftables", function()
  setProxyMode("nftables")
  local ruleset = nftRuleset("node-1")
  local r = connect("client", "web:80")
  local t = trace("client", "web:80")
  --- check
  local svc = getService("web")
  assert(ruleset:find("table ip kube-proxy", 1, true))
  assert(ruleset:find(svc.clusterIP .. " . tcp . 80 : goto service-", 1, true), ruleset)
  assert(ruleset:find("numgen random mod 3", 1, true), ruleset)
  assertEqual(getPod(r.pod).labels.app, "web")
  assert(tostring(t):find("kube-proxy (nftables)", 1, true), tostring(t))
  return t
end)

--- step: Session affinity
-- Back in iptables mode, `sessionAffinity = "ClientIP"` pins each client IP to
-- one endpoint (the `recent` match remembers it for 10800 seconds, three hours,
-- by default). Every connection from the client now lands on the same pod,
-- until the affinity times out.
test("Session affinity", function()
  setProxyMode("iptables")
  updateService("web", { sessionAffinity = "ClientIP" })
  local counts = distribution("client", "web:80", 50)
  advance(10801)
  local later = distribution("client", "web:80", 50)
  --- check
  assertEqual(getService("web").sessionAffinityTimeout, 10800)
  assert(iptablesSave("node-1"):find("--rcheck --seconds 10800 --reap", 1, true))
  local first = next(counts)
  assertEqual(counts, { [first] = 50 })
  local again = next(later)
  assertEqual(later, { [again] = 50 })
  return counts, later
end)
-- After the timeout the client was pinned again, possibly to another pod.

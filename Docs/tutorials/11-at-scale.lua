--- At scale: 5,000 nodes, and why IPVS and then nftables were written
--
-- Kubernetes documents the cluster sizes it supports: up to 5,000 nodes,
-- 150,000 pods and 10,000 Services. This tutorial builds a cluster of 5,000
-- nodes (with a hundred Services, to stay quick; Scripts/bench-scale.sh
-- goes all the way) and asks the lab what kube-proxy holds on one node in each
-- of its modes, what it rewrites when one endpoint changes, and what one DNS
-- name costs a cluster of that size.

local SERVICES, PER_SERVICE = 100, 15

--- step: A pod CIDR big enough for 5,000 nodes
-- kube-controller-manager cuts the cluster's pod CIDR into one /24 per node.
-- kind's default, 10.244.0.0/16, holds 256 of them: a 257th node would get no
-- pod CIDR at all. So a 5,000-node cluster needs a wider range: a /11 holds
-- 8,192 /24s. Node 5,000 gets the 5,000th subnet and the 5,000th address.
test("A pod CIDR big enough for 5,000 nodes", function()
  local ok, err = pcall(reset, { nodes = 5000 })
  --- check
  assert(not ok and err:find("no remaining CIDRs left to allocate", 1, true), err)
  --- end
  reset { nodes = 5000, podCIDR = "10.128.0.0/11" }
  seed(11)
  local last = getNode("node-5000")
  --- check
  assertEqual(last.podCIDR, "10.147.135.0/24")
  --- end
  for i = 1, SERVICES do
    createDeployment("app-" .. i, { replicas = PER_SERVICE, labels = { app = "app-" .. i },
      ports = { { name = "http", containerPort = 8080 } } })
    createService("app-" .. i, { selector = { app = "app-" .. i },
      ports = { { name = "http", port = 80, targetPort = 8080 } } })
  end
  local c = cluster().counts
  --- check
  assertEqual(c.nodes, 5000)
  assertEqual(c.services, SERVICES + 2) -- and kubernetes, kube-dns
  --- end
  return string.format("%d nodes, %d pods, %d Services\nnode-5000: %s, pods from %s",
    c.nodes, c.pods, c.services, last.ip, last.podCIDR)
end)

--- step: What one node holds in each mode
-- `proxyWork(node)` renders the node's rules in all three modes and reports a
-- first sync. In iptables mode every Service port is a few chains and every
-- endpoint a chain of its own (KUBE-SEP-…): thousands of rules, walked in
-- order. IPVS keeps one virtual server per Service port and one real server per
-- endpoint in the kernel's hash tables, plus a constant handful of iptables
-- rules. nftables keeps a chain per Service and endpoint too, but finds the
-- Service through a verdict map: one lookup, however many Services there are.
test("What one node holds in each mode", function()
  local w = proxyWork("node-1")
  local endpoints = SERVICES * PER_SERVICE
  --- check
  assert(w.iptables.total > 2 * endpoints, w.iptables.total)
  assert(w.ipvs.realServers >= endpoints)
  assert(w.ipvs.iptablesRules < 40, w.ipvs.iptablesRules)
  assert(w.nftables.elements >= SERVICES)
  --- end
  return string.format(
    "iptables: %d rules (%d bytes to iptables-restore)\n"
      .. "IPVS:     %d virtual servers, %d real servers, %d iptables rules\n"
      .. "nftables: %d rules, %d set and map elements (%d bytes to nft)",
    w.iptables.total, w.iptables.bytes, w.ipvs.virtualServers, w.ipvs.realServers,
    w.ipvs.iptablesRules, w.nftables.total, w.nftables.elements, w.nftables.bytes)
end)

--- step: One endpoint changes
-- A pod of `app-1` stops being ready. Every node's kube-proxy reacts. In
-- iptables mode it hands iptables-restore every top-level chain again —
-- KUBE-SERVICES has a rule per Service port, so that input grows with the
-- cluster — plus the changed Service's chains. IPVS removes one real server.
-- nftables sends a transaction with just the changed chains.
test("One endpoint changes", function()
  local pod = endpoints("app-1")[1].pod
  local w = proxyWork("node-1", function() setPodReady(pod, false) end)
  --- check
  assertEqual(w.ipvs.realServersRemoved, 1)
  assertEqual(w.ipvs.realServersAdded, 0)
  assertEqual(w.nftables.deletedChains, 1) -- the endpoint's chain
  assert(w.iptables.rules > SERVICES, w.iptables.rules)
  assert(w.iptables.bytes > 10 * w.nftables.bytes, w.iptables.bytes .. " vs " .. w.nftables.bytes)
  --- end
  return string.format(
    "iptables: %d rules in %d chains, %d bytes (and %d chain deleted)\n"
      .. "IPVS:     %d real server removed (+ %d bytes of constant iptables rules)\n"
      .. "nftables: %d rules in %d chain, %d chain deleted, %d bytes",
    w.iptables.rules, w.iptables.chains, w.iptables.bytes, w.iptables.deletedChains,
    w.ipvs.realServersRemoved, w.ipvs.iptablesBytes,
    w.nftables.rules, w.nftables.chains, w.nftables.deletedChains, w.nftables.bytes)
end)

--- step: The same change on a bigger cluster
-- Add Services and ask again: the iptables input grows with them, the nftables
-- transaction does not. This is why kube-proxy's nftables mode exists (KEP-3866).
test("The same change on a bigger cluster", function()
  local pod = endpoints("app-2")[1].pod
  local before = proxyWork("node-1", function() setPodReady(pod, false) end)
  for i = SERVICES + 1, 2 * SERVICES do
    createDeployment("app-" .. i, { replicas = PER_SERVICE, labels = { app = "app-" .. i } })
    createService("app-" .. i, { selector = { app = "app-" .. i }, ports = { { port = 80 } } })
  end
  local after = proxyWork("node-1", function() setPodReady(pod, true) end)
  --- check
  assert(after.iptables.bytes > 1.5 * before.iptables.bytes)
  assert(after.nftables.bytes < 2 * before.nftables.bytes)
  --- end
  return string.format("%d Services: iptables %d bytes, nftables %d bytes\n%d Services: iptables %d bytes, nftables %d bytes",
    SERVICES + 2, before.iptables.bytes, before.nftables.bytes,
    2 * SERVICES + 2, after.iptables.bytes, after.nftables.bytes)
end)

--- step: What one DNS name costs with ndots:5
-- A pod looking up `api.example.com` (two dots, fewer than five) tries each of
-- its three search domains first, then the name itself, asking A and AAAA each
-- time: eight queries for one name. Multiply by the pods of a cluster this
-- size: if every pod looks the name up once, CoreDNS answers eight times as
-- many queries as there are pods. A trailing dot makes it two.
test("What one DNS name costs with ndots:5", function()
  addExternalRecord("api.example.com", "A", "192.0.2.10")
  addPod("client", { node = "node-5000" })
  local r = resolve("api.example.com", { from = "client" })
  --- check
  assertEqual(r.addresses, { "192.0.2.10" })
  assertEqual(#r.queries, 8)
  --- end
  local dotted = resolve("api.example.com.", { from = "client" })
  --- check
  assertEqual(#dotted.queries, 2)
  --- end
  local pods = cluster().counts.pods
  return string.format("api.example.com: %d queries (%d NXDOMAIN)\napi.example.com.: %d queries\n"
    .. "%d pods, one lookup each: %d queries to CoreDNS, or %d with the trailing dot",
    #r.queries, #r.queries - 2, #dotted.queries, pods, pods * #r.queries, pods * #dotted.queries)
end)

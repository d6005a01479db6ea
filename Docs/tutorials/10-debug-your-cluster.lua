--- Debug your own cluster
--
-- Everything so far ran on clusters svclab made up. This chapter loads a real
-- one: the objects of a kind cluster (three nodes, Calico, kube-proxy in
-- iptables mode) as `kubectl get` printed them, and the rules one of its nodes
-- holds as `iptables-save -c` printed them, both shipped in
-- Docs/tutorials/data/. Then it asks them the 3 a.m. questions: why do some
-- requests to `shop/web` fail, which rules does a packet really take, and is
-- this node's kube-proxy keeping up?
--
-- To take the same two files from your own cluster:
--
--     kubectl get nodes,namespaces,pods,services,endpointslices,deployments,replicasets,daemonsets,statefulsets,configmaps -A -o yaml > cluster.yaml
--     kubectl debug node/NODE -it --image=busybox -- chroot /host iptables-save -c > NODE.iptables
--
-- (`-o json` works as well; on kind, `docker exec NODE iptables-save -c` is
-- simpler.) `svclab cluster.yaml` opens the REPL on the imported cluster.

local data = "Docs/tutorials/data/"

--- step: Import the dump
-- `importCluster` keeps every address, port, readiness flag and EndpointSlice
-- as the dump recorded it: nothing is allocated or recomputed. The Service and
-- pod CIDRs come from kubeadm's ClusterConfiguration, the proxy mode from
-- kube-proxy's ConfigMap, the DNS settings from CoreDNS's Corefile. Kinds the
-- lab does not model are counted, not lost silently.
test("Import the dump", function()
  local r = importCluster(data .. "kind-cluster.yaml")
  --- check
  assertEqual(r.serviceCIDR, { "10.96.0.0/16" })
  assertEqual(r.proxyMode, "iptables")
  assertEqual(getPod("shop/web-6d4cf56db6-8tq2n").ip, "10.244.2.5")
  --- end
  return r.summary
end)

--- step: Where the dump and the controllers disagree
-- `checkInvariants()` compares what the cluster holds with what its
-- controllers would make of it. Here it finds one thing: the EndpointSlice of
-- `shop/web` does not match its pods. It still lists 10.244.1.9, a pod that is
-- gone, and it misses the pod that is running but not ready (which is right to
-- leave out of `ready`, but the controller would list it as not ready). A
-- stale slice means the EndpointSlice controller has not caught up.
test("Where the dump and the controllers disagree", function()
  local ok, err = pcall(checkInvariants)
  --- check
  assertEqual(ok, false)
  assert(err:find("slices of shop/web (IPv4) differ from its pods", 1, true), err)
  --- end
  local lines = {}
  for _, e in ipairs(endpointSlices("shop/web")[1].endpoints) do
    local pod = e.targetRef and e.targetRef.name
    local live = pod and getPod("shop/" .. pod)
    lines[#lines + 1] = string.format("%-12s %-24s %s", e.addresses[1], pod,
      live and ("pod " .. live.phase) or "NO SUCH POD")
  end
  table.sort(lines)
  return table.concat(lines, "\n")
end)

--- step: What that costs: one request in three
-- kube-proxy programs what the slices say, so one in three new connections to
-- `shop/web` is sent to an address where nothing answers. The lab shows where
-- each of 300 connections from a pod goes.
test("What that costs: one request in three", function()
  local counts = distribution("shop/web-6d4cf56db6-8tq2n", "web.shop:80", 300)
  local failed = 0
  for k, n in pairs(counts) do
    if not k:match("^web%-") then failed = failed + n end
  end
  --- check
  assert(failed > 50 and failed < 150, "about a third fail, got " .. failed)
  --- end
  local lines = {}
  for k, n in pairs(counts) do lines[#lines + 1] = string.format("%-28s %d", k, n) end
  table.sort(lines)
  return table.concat(lines, "\n")
end)

--- step: Walk the node's real rules
-- `traceRules` takes the node's own `iptables-save` text — kube-proxy's
-- chains, but also Calico's `cali-*` chains and kind's Docker DNS chains — and
-- walks a packet through raw, mangle, nat and filter in netfilter's order. The
-- packet here leaves `web-6d4cf56db6-8tq2n` through its Calico veth
-- (`ip route get 10.244.2.5` on the node names it) for web's ClusterIP, and
-- heads for another node through the IP-in-IP tunnel. Where the way forks on a
-- random rule, every branch is an outcome with its probability; each rule shows
-- the counters the dump had. What the dump cannot show (here: conntrack state,
-- assumed NEW) is said at the end.
test("Walk the node's real rules", function()
  local t = traceRules(data .. "kind-worker2.iptables",
    { src = "10.244.2.5", dst = "10.96.112.40", dport = 80, iif = "calicda9c68722d", oif = "tunl0" },
    { nodeIPs = { "172.18.0.4" },
      ipsets = { ["cali40masq-ipam-pools"] = { "10.244.0.0/16" }, ["cali40all-ipam-pools"] = { "10.244.0.0/16" } } })
  --- check
  assertEqual(#t.outcomes, 3)
  for _, o in ipairs(t.outcomes) do assertEqual(o.verdict, "ACCEPT") end
  --- end
  -- The rules forward to the gone pod as readily as to the others: the fault is
  -- the slice, not the node.
  --- check
  local gone = false
  for _, o in ipairs(t.outcomes) do if o.dnat == "10.244.1.9:8080" then gone = true end end
  assert(gone)
  --- end
  return tostring(t)
end)

--- step: Ask what you do not know
-- `shop/db` is guarded by a NetworkPolicy that only lets `app=web` pods in.
-- Calico matches those pods with an ipset, and `iptables-save` does not print
-- ipsets: without its members the trace cannot know, drops the packet at the
-- end of the policy tier, and says why. Give the members (`ipset list
-- cali40s:web-pods` on the node) and the same packet is accepted.
test("Ask what you do not know", function()
  local packet = { src = "10.244.2.5", dst = "10.244.2.7", dport = 5432, iif = "calicda9c68722d",
    oif = "cali7fd651e3ab8" }
  local blind = traceRules(data .. "kind-worker2.iptables", packet, { nodeIPs = { "172.18.0.4" } })
  --- check
  assertEqual(blind.verdict, "DROP")
  --- end
  local told = traceRules(data .. "kind-worker2.iptables", packet, { nodeIPs = { "172.18.0.4" },
    ipsets = { ["cali40s:web-pods"] = { "10.244.1.4", "10.244.2.5", "10.244.2.6" } } })
  --- check
  assertEqual(told.verdict, "ACCEPT")
  --- end
  return "without the ipset: " .. blind.verdict .. " (" .. table.concat(blind.unknowns, "; ") .. ")\n"
    .. "with its members:   " .. told.verdict
end)

--- step: A node in nftables mode
-- With kube-proxy in nftables mode, `iptables-save` holds no Service rules:
-- give `traceRules` the node's `nft list ruleset` text instead (`docker exec
-- kind-worker2 nft list ruleset`). kind-worker2.nft is that node after
-- switching kube-proxy to nftables: its `ip kube-proxy` table next to the
-- tables Calico and Docker still fill through iptables-nft. Each hook runs
-- the base chains of every table in priority order, and the same packet finds
-- web's endpoints through the `service-ips` verdict map and `numgen`.
test("A node in nftables mode", function()
  local packet = { src = "10.244.2.5", dst = "10.96.112.40", dport = 80,
    iif = "calicda9c68722d", oif = "tunl0" }
  local t = traceRules(data .. "kind-worker2.nft", packet, { nodeIPs = { "172.18.0.4" } })
  --- check
  assertEqual(#t.outcomes, 3)
  assert(t.text:find("@service-ips: 10.96.112.40 . tcp . 80", 1, true), t.text)
  --- end
  return tostring(t)
end)

--- step: Is this node's kube-proxy keeping up?
-- `diffRules` compares the node's kube-proxy chains with the ones the lab's
-- kube-proxy writes for that node from the imported objects, ignoring every
-- other chain and iptables-save's rewriting. `kind-worker` is in sync.
-- `kind-worker2` still has the chains of `shop/old-api`, a Service deleted
-- since, and lacks the NodePort rules of `shop/web-np`: its kube-proxy stopped
-- syncing (look at its log, and at `sync_proxy_rules_last_timestamp_seconds`).
test("Is this node's kube-proxy keeping up?", function()
  --- check
  assert(diffRules("kind-worker", data .. "kind-worker.iptables").inSync)
  --- end
  local d = diffRules("kind-worker2", data .. "kind-worker2.iptables")
  --- check
  assertEqual(d.inSync, false)
  assertEqual(#d.staleChains, 2)
  assert(#d.missingRules > 0)
  --- end
  return tostring(d)
end)

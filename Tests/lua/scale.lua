-- Kubernetes' documented limit of 5,000 nodes: the pod CIDR has to hold a /24 per node (as
-- kube-controller-manager's range allocator cuts it), the last node gets its address and
-- subnet, a Service is reachable from a pod there, and every node's rules render.

test("node counts beyond Kubernetes' 5,000 are refused, and so are lists of more names", function()
  assertError(function() reset { nodes = 5001 } end, "reset: opts%.nodes: must be between 0 and 5000")
  local names = {}
  for i = 1, 5001 do names[i] = "n" .. i end
  assertError(function() reset { nodes = names } end, "reset: opts%.nodes: at most 5000 names, got 5001")
end)

test("the default pod CIDR holds 256 nodes: the range allocator's words beyond that", function()
  reset { nodes = 256 }
  assertEqual(getNode("node-256").podCIDR, "10.244.255.0/24")
  assertError(function() reset { nodes = 257 } end,
    "reset: pod CIDR 10%.244%.0%.0/16 holds 256 node subnets of /24, fewer than the 257 nodes %(kube%-controller%-manager: "
      .. "failed to allocate cidr from cluster cidr at idx:0: CIDR allocation failed; there are no remaining CIDRs "
      .. "left to allocate in the accepted range%)")
  -- a node joining a full range is refused the same way, and nothing changes
  reset { nodes = 256 }
  assertError(function() addNode("node-257") end,
    "addNode: Internal error occurred: failed to allocate cidr from cluster cidr at idx:0: CIDR allocation failed")
  assertEqual(#nodes(), 256)
  -- a node leaving frees its subnet for the next one
  removeNode("node-7")
  assertEqual(addNode("node-257").podCIDR, "10.244.6.0/24")
end)

test("5,000 nodes: the last one's address and subnet, a Service reachable from a pod on it", function()
  reset { nodes = 5000, podCIDR = "10.128.0.0/11" }
  assertEqual(#nodes(), 5000)
  local last = getNode("node-5000")
  -- node i: 172.18.0.2 + (i - 1), the (i - 1)-th /24 of the pod CIDR (4999 = 19 * 256 + 135)
  assertEqual(last.ip, "172.18.19.137")
  assertEqual(last.podCIDR, "10.147.135.0/24")
  assertEqual(last.zone, "zone-" .. ({ "a", "b", "c" })[(5000 - 1) % 3 + 1])
  addPod("web", { node = "node-1", labels = { app = "web" }, ports = { { name = "http", containerPort = 8080 } } })
  local svc = createService("web", { selector = { app = "web" }, type = "NodePort",
    externalTrafficPolicy = "Local", ports = { { name = "http", port = 80, targetPort = 8080 } } })
  local client = addPod("client", { node = "node-5000" })
  assertEqual(client.ip:match("^10%.147%.135%.") ~= nil, true)
  local r = assert(connect("client", "web:80"))
  assertEqual(r.pod, "web")
  assertEqual(r.node, "node-1")
  assertEqual(r.entryNode, "node-5000")
  -- the NodePort on node-5000 has no local endpoint (externalTrafficPolicy Local)
  local ok, why = connect({ external = "203.0.113.7" }, last.ip .. ":" .. svc.ports[1].nodePort)
  assertEqual(ok, nil)
  assert(why:match("^dropped") or why:match("^refused"), why)
end)

test("5,000 nodes: every node's rules render, the endpoint's node differing as kube-proxy writes it", function()
  reset { nodes = 5000, podCIDR = "10.128.0.0/11" }
  addPod("web", { node = "node-5000", labels = { app = "web" }, ports = { { name = "http", containerPort = 8080 } } })
  local svc = createService("web", { selector = { app = "web" }, type = "NodePort",
    externalTrafficPolicy = "Local", ports = { { name = "http", port = 80, targetPort = 8080 } } })
  local clusterRule = "-d " .. svc.clusterIP .. " --dport 80 -j KUBE-SVC-"
  local noLocal = '"default/web:http has no local endpoints"'
  local withEndpoint, without = {}, 0
  for i = 1, 5000 do
    local text = iptablesSave("node-" .. i)
    assert(text:find(clusterRule, 1, true), "node-" .. i)
    -- the NodePort is dropped in the filter table wherever the pod does not run
    if text:find(noLocal, 1, true) then
      without = without + 1
    else
      withEndpoint[#withEndpoint + 1] = "node-" .. i
    end
  end
  assertEqual(withEndpoint, { "node-5000" })
  assertEqual(without, 4999)
end)

test("5,000 nodes in nftables mode: every node's table renders", function()
  reset { nodes = 5000, podCIDR = "10.128.0.0/11", proxyMode = "nftables" }
  addPod("web", { node = "node-2", labels = { app = "web" } })
  local svc = createService("web", { selector = { app = "web" }, ports = { { port = 80 } } })
  for i = 1, 5000 do
    local text = nftRuleset("node-" .. i)
    assert(text:find(svc.clusterIP .. " . tcp . 80 : goto service-", 1, true), "node-" .. i)
  end
end)

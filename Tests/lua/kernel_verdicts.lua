-- Verdicts the Linux kernel settled (Scripts/test-kernel.sh runs the same cases on it):
-- the failure word for a node address where nothing listens, the source address a node's
-- own endpoint sees through Calico's outgoing NAT, and which rule masquerades in each mode.

local function word(reason) return reason and reason:match("^(%a+)") end

local function hasStep(t, chain, text)
  for _, s in ipairs(t.steps) do
    if s.chain == chain and (not text or s.text:find(text, 1, true)) then return true end
  end
  return false
end

local function setup(network, mode)
  reset { nodes = 3, podNetwork = network }
  seed(21)
  if mode then setProxyMode(mode) end
  addPod("web-1", { node = "node-2", labels = { app = "web" }, ports = { { name = "http", containerPort = 8080 } } })
  addPod("client", { node = "node-1" })
  addPod("client-2", { node = "node-2" })
  createService("web", { selector = { app = "web" }, ports = { { name = "http", port = 80, targetPort = 8080 } } })
end

-- A NodePort on 127.0.0.1 from a process on the node: iptables mode's localhost NodePorts
-- take it to the Service; nftables mode has none (and iptables with localhostNodePorts off),
-- so it reaches the node's own loopback, where nothing listens: refused, as the kernel says.
for _, case in ipairs({
  { mode = "iptables", refused = false },
  { mode = "nftables", refused = true },
  { mode = "iptables", opts = { localhostNodePorts = false }, refused = true },
}) do
  test("NodePort via 127.0.0.1 from a node (" .. case.mode .. (case.opts and ", localhostNodePorts off" or "") .. ")", function()
    setup("BGP")
    setProxyMode(case.mode, case.opts)
    local np = createService("web-np", { type = "NodePort", selector = { app = "web" },
      ports = { { port = 80, targetPort = 8080 } } }).ports[1].nodePort
    local r, reason = connect({ node = "node-1" }, "127.0.0.1:" .. np)
    if case.refused then
      assertEqual(r, nil)
      assertEqual(reason, "refused: nothing listens on 127.0.0.1:" .. np .. "/TCP on node-1")
    else
      assertEqual(r.pod, "web-1")
    end
  end)
end

-- A node address and port where nothing listens: the node's kernel answers (TCP reset, UDP
-- ICMP port unreachable), so the client is refused, in every proxy mode.
for _, case in ipairs({
  { mode = "iptables", protocol = "TCP", answer = "RST" },
  { mode = "iptables", protocol = "UDP", answer = "ICMP port unreachable" },
  { mode = "nftables", protocol = "TCP", answer = "RST" },
  { mode = "ipvs", protocol = "UDP", answer = "ICMP port unreachable" },
}) do
  test("nothing listens on a node address: refused (" .. case.mode .. ", " .. case.protocol .. ")", function()
    setup("BGP", case.mode)
    local target = getNode("node-2").ip .. ":9999"
    local r, reason = connect("client", target, { protocol = case.protocol })
    assertEqual(r, nil)
    assertEqual(word(reason), "refused")
    local t = trace("client", target, { protocol = case.protocol })
    assert(t.text:find("nothing listens on " .. target .. "/" .. case.protocol .. ": " .. case.answer, 1, true), t.text)
  end)
end

-- The `kubernetes` Service's endpoint is node-1's own address (the API server on 6443).
for _, case in ipairs({
  { from = "client", network = "BGP", source = "client", snat = false },
  { from = "client-2", network = "BGP", source = "node-2", snat = true },
  { from = "client-2", network = "VXLAN", source = "node-2", snat = true },
  { from = "client-2", network = "IPIP", source = "node-2", snat = true, mode = "nftables" },
}) do
  test("kubernetes Service from " .. case.from .. " (" .. case.network .. ", " .. (case.mode or "iptables") .. ")", function()
    setup(case.network, case.mode)
    local r = assert(connect(case.from, "kubernetes:443"))
    assertEqual(r.podIP, getNode("node-1").ip)
    local want = case.source == "client" and getPod("client").ip or getNode(case.source).ip
    assertEqual(r.sourceIP, want)
    local t = trace(case.from, "kubernetes:443")
    assertEqual(hasStep(t, "cali-nat-outgoing"), case.snat)
    assertEqual(hasStep(t, "KUBE-POSTROUTING"), false)
  end)
end

-- Who masquerades a node's connection to a ClusterIP whose endpoint is on another node.
for _, case in ipairs({
  { network = "BGP", mode = "iptables", chain = "KUBE-POSTROUTING", source = "node" },
  { network = "BGP", mode = "nftables", chain = "masquerading", source = "node" },
  { network = "VXLAN", mode = "iptables", chain = "cali-POSTROUTING", source = "tunnel" },
  { network = "VXLAN", mode = "nftables", chain = "cali-POSTROUTING", source = "tunnel" },
}) do
  test("node to a remote endpoint: " .. case.chain .. " masquerades (" .. case.network .. ", " .. case.mode .. ")", function()
    setup(case.network, case.mode)
    local vip = getService("web").clusterIP .. ":80"
    local r = assert(connect({ node = "node-1" }, vip))
    local node = getNode("node-1")
    -- The tunnel's address is the first of the node's pod CIDR.
    local tunnel = node.podCIDR:match("^(.-)/")
    assertEqual(r.sourceIP, case.source == "node" and node.ip or tunnel)
    local t = trace({ node = "node-1" }, vip)
    assert(hasStep(t, case.chain), t.text)
    if case.chain ~= "KUBE-POSTROUTING" then assertEqual(hasStep(t, "KUBE-POSTROUTING"), false) end
  end)
end

-- A pod's connection to its own address (127.0.0.1 or its pod IP) never leaves its network
-- namespace: its kernel delivers it over the pod's loopback, where no rule of the node (not
-- even a localhost NodePort) sees it. Connected where a container of the pod listens, refused
-- where none does, in every proxy mode.
for _, case in ipairs({
  { mode = "iptables", target = "127.0.0.1", port = 8080 },
  { mode = "nftables", target = "127.0.0.1", port = 8080 },
  { mode = "ipvs", target = "127.0.0.1", port = 8080 },
  { mode = "iptables", target = "own", port = 8080 },
  { mode = "iptables", target = "127.0.0.1", port = 9999, answer = "RST" },
  { mode = "nftables", target = "own", port = 9999, answer = "RST" },
  { mode = "ipvs", target = "127.0.0.1", port = 8080, protocol = "UDP",
    answer = "ICMP port unreachable" },
  { mode = "iptables", target = "127.0.0.1", port = "nodePort", answer = "RST" },
}) do
  local protocol = case.protocol or "TCP"
  test("a pod to its own " .. (case.target == "own" and "pod IP" or case.target) .. ":" .. case.port
    .. "/" .. protocol .. " (" .. case.mode .. ")", function()
    setup("BGP", case.mode)
    local port = case.port
    if port == "nodePort" then
      port = createService("web-np", { type = "NodePort", selector = { app = "web" },
        ports = { { port = 80, targetPort = 8080 } } }).ports[1].nodePort
    end
    local ip = case.target == "own" and getPod("web-1").ip or case.target
    local target = ip .. ":" .. port
    local r, reason = connect("web-1", target, { protocol = protocol })
    local t = trace("web-1", target, { protocol = protocol })
    if case.answer then
      assertEqual(r, nil)
      local where = target .. "/" .. protocol
      assertEqual(reason, "refused: pod default/web-1 does not listen on " .. where)
      assert(t.text:find("default/web-1 does not listen on " .. where .. ": " .. case.answer,
        1, true), t.text)
    else
      assertEqual({ r.pod, r.podIP, r.sourceIP, r.node }, { "web-1", ip, ip, "node-2" })
    end
    local lo = ip .. " is the pod's own address: routed over the pod's loopback (lo)"
    assert(t.text:find(lo, 1, true), t.text)
    for _, s in ipairs(t.steps) do assertEqual(s.chain, nil) end
  end)
end

-- The kernel primitives' bad input: a clear error in the contract's format, nothing built.
test("kernel primitives reject bad input before touching the kernel", function()
  reset {}
  assertError(function() materialize({ external = { "not-an-ip" } }) end,
    "materialize: opts.external: \"not%-an%-ip\" is not an IPv4 address")
  assertError(function() materialize({ bogus = true }) end, "materialize: ")
  assertError(function() kernelConnect("client", "web:80") end,
    "kernelConnect: the lab is not on the kernel: call materialize%(%) first")
  assertError(function() kernelConnections("client", "web:80", 3) end,
    "kernelConnections: the lab is not on the kernel")
  local ok, why = kernelSupport()
  assert(ok == true or (ok == false and why:find("needs", 1, true)), tostring(why))
  teardown() -- nothing built: nothing to do
end)

-- The pod network between nodes: Calico-style IP-in-IP (the default), VXLAN, or plain BGP
-- routes, chosen with reset{podNetwork=} or setPodNetwork(); the hop and the source address a
-- backend sees on another node follow the mode.

local function remotePod(client)
  for _, p in ipairs(pods({ selector = { app = "w" } })) do
    if p.node ~= getPod(client).node then return p end
  end
end

local function setup(opts)
  reset(opts or {})
  createDeployment("w", { replicas = 3 })
  createService("w", { type = "NodePort", selector = { app = "w" }, ports = { { port = 80 } } })
  addPod("c", { node = "node-1" })
end

local function hopText(r)
  for _, h in ipairs(r.hops) do
    if h:find("tunnel", 1, true) or h:find("route", 1, true) then return h end
  end
end

test("IP-in-IP is the default and names the tunnel between node IPs", function()
  setup()
  assertEqual(cluster().podNetwork, "IPIP")
  local target = remotePod("c")
  local r = assert(connect("c", target.ip .. ":80"))
  local hop = assert(hopText(r), "a tunnel hop")
  assert(hop:find("tunl0", 1, true), hop)
  assert(hop:find(getNode("node-1").ip, 1, true) and hop:find(getNode(target.node).ip, 1, true), hop)
  assertEqual(r.sourceIP, getPod("c").ip)
end)

test("VXLAN tunnels through vxlan.calico", function()
  setup { podNetwork = "vxlan" }
  assertEqual(cluster().podNetwork, "VXLAN")
  local r = assert(connect("c", remotePod("c").ip .. ":80"))
  local hop = assert(hopText(r))
  assert(hop:find("vxlan.calico", 1, true), hop)
end)

test("BGP routes carry pod traffic without a tunnel", function()
  setup()
  assertEqual(setPodNetwork("BGP"), "IPIP")
  local r = assert(connect("c", remotePod("c").ip .. ":80"))
  local hop = assert(hopText(r))
  assertEqual(hop:find("tunl0", 1, true), nil)
  assertEqual(hop:find("vxlan", 1, true), nil)
end)

test("a masqueraded NodePort connection carries the tunnel address or the node IP", function()
  local function sourceFor(mode)
    setup { podNetwork = mode }
    local np = getService("w").ports[1].nodePort
    -- From outside to node-1's NodePort: Cluster policy SNATs on node-1. Find a connection
    -- whose backend is on another node.
    for _ = 1, 50 do
      local r = assert(connect({ external = "203.0.113.7" }, getNode("node-1").ip .. ":" .. np))
      if r.node ~= "node-1" then return r.sourceIP end
    end
  end
  local tunnelAddress = "10.244.0.0" -- the network address of node-1's pod CIDR
  assertEqual(sourceFor("IPIP"), tunnelAddress)
  assertEqual(sourceFor("VXLAN"), tunnelAddress)
  assertEqual(sourceFor("BGP"), getNode("node-1").ip)
end)

test("unknown pod network modes are errors", function()
  assertError(function() setPodNetwork("flannel") end, 'setPodNetwork: unknown pod network "flannel"')
  assertError(function() reset { podNetwork = "geneve" } end, 'reset: unknown pod network "geneve"')
end)

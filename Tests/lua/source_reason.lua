-- connect's sourceReason and trace's last line: one line saying why the backend sees the
-- source it sees, when that is not the client's own address (kube-proxy's masquerade of
-- marked packets, the tunnel device's address chosen by MASQUERADE, Calico's natOutgoing).

local function setup()
  reset{}
  addPod("b", { node = "node-3", labels = { app = "b" } })
  addPod("c", { node = "node-1" })
  createService("b", { type = "NodePort", selector = { app = "b" }, ports = { { port = 80 } } })
end

local function clusterIP() return getService("b").clusterIP .. ":80" end
local function nodePort(node) return getNode(node).ip .. ":" .. getService("b").ports[1].nodePort end
local function tunnel(node) return getNode(node).podCIDR:match("^(.-)/") end

-- { name, setup(), from, target(), source the backend sees, reason (nil: none) as plain substrings }
local cases = {
  { "a pod keeps its own address", nil, "c", function() return "b:80" end,
    function() return getPod("c").ip end, nil },
  { "a node to a ClusterIP across the IP-in-IP tunnel", nil, { node = "node-1" }, clusterIP,
    function() return tunnel("node-1") end,
    -- Calico's tunnel rule comes first in POSTROUTING: it masquerades a host address leaving
    -- by the tunnel before kube-proxy's KUBE-POSTROUTING sees the packet.
    { "Calico's cali-POSTROUTING on node-1 masqueraded the node's own address",
      function() return "the IP-in-IP device tunl0, whose address " .. tunnel("node-1") .. " is node-1's tunnel address" end } },
  { "a node to a ClusterIP across VXLAN", function() setPodNetwork("vxlan") end, { node = "node-1" }, clusterIP,
    function() return tunnel("node-1") end,
    { "the VXLAN device vxlan.calico, whose address", "is node-1's tunnel address" } },
  { "a node to a ClusterIP over BGP routes", function() setPodNetwork("bgp") end, { node = "node-1" }, clusterIP,
    function() return getNode("node-1").ip end,
    { "node-1's KUBE-POSTROUTING masqueraded", "(BGP, no tunnel) leaves by node-1's network interface" } },
  { "an external client to a node port on another node", nil, { external = "203.0.113.7" },
    function() return nodePort("node-1") end, function() return tunnel("node-1") end,
    { "it reached a node port or an external address of a Service with externalTrafficPolicy: Cluster",
      "tunl0, whose address" } },
  { "an external client under IPVS", function() setProxyMode("ipvs") end, { external = "203.0.113.7" },
    function() return nodePort("node-2") end, function() return tunnel("node-2") end,
    { "node-2's KUBE-POSTROUTING masqueraded", "node port or an external address" } },
  { "a node under nftables", function() setProxyMode("nftables") end, { node = "node-2" }, clusterIP,
    function() return tunnel("node-2") end, { "Calico's cali-POSTROUTING on node-2", "is node-2's tunnel address" } },
  -- ("b" alone is the pod's own hostname: its /etc/hosts answers it with its own address.)
  { "a pod reaching itself through its Service", nil, "b", function() return "b.default:80" end,
    function() return getNode("node-3").ip end,
    { "hairpin: the backend is the client itself", "the pod's veth, which has no address of its own" } },
  { "a node process straight to a remote pod", nil, { node = "node-1" },
    function() return getPod("b").ip .. ":80" end, function() return tunnel("node-1") end,
    { "a process on node-1 reaching a pod on another node uses the source of the route it takes" } },
  { "a pod to another node's node port: the last masquerade counts", nil, "c",
    function() return nodePort("node-3") end, function() return getNode("node-3").ip end,
    { "node-3's KUBE-POSTROUTING masqueraded the packet (it reached a node port",
      "the pod's veth, which has no address of its own, so the kernel picks node-3's address" } },
  { "a pod to a hostNetwork pod on another node",
    function() addPod("exporter", { node = "node-3", hostNetwork = true, ports = { { containerPort = 9100 } } }) end,
    "c", function() return getNode("node-3").ip .. ":9100" end, function() return getNode("node-1").ip end,
    { "Calico's natOutgoing on node-1 masqueraded the pod's address" } },
}

for _, case in ipairs(cases) do
  local name, prepare, from, target, source, reason = table.unpack(case)
  test("sourceReason: " .. name, function()
    setup()
    if prepare then prepare() end
    -- Several times: repeated calls (the repeat shortcuts) say the same.
    for _ = 1, 4 do
      local r = assert(connect(from, target()))
      assertEqual(r.sourceIP, source())
      if reason == nil then
        assertEqual(r.sourceReason, nil)
      else
        for _, part in ipairs(reason) do
          local text = type(part) == "function" and part() or part
          assert(r.sourceReason and r.sourceReason:find(text, 1, true), tostring(r.sourceReason))
        end
        assert(not r.sourceReason:find("\n", 1, true), "one line")
      end
    end
    local t = trace(from, target())
    local last = tostring(t):match("[^\n]*$")
    if reason == nil then
      assert(not tostring(t):find("→ source ", 1, true), tostring(t))
      assertEqual(t.result.sourceReason, nil)
    else
      assertEqual(last, "→ source " .. source() .. ": " .. t.result.sourceReason)
      assertEqual(t.result.sourceReason, connect(from, target()).sourceReason)
    end
  end)
end

--- ClusterIP across nodes: the CNI hop
--
-- The node that rewrites a connection is the client's own node, not the
-- backend's. When kube-proxy there picks an endpoint on another node, the
-- packet leaves through the pod network (the CNI plugin: here an IP-in-IP
-- tunnel between nodes) and is delivered on the other side, still carrying the
-- client pod's address as its source.

--- step: One backend, on another node
-- One pod `backend` on node-3 behind a Service, and a client pod on node-1.
test("One backend, on another node", function()
  reset{}
  seed(5)
  addPod("backend", { node = "node-3", labels = { app = "backend" },
    ports = { { name = "http", containerPort = 8080 } } })
  addPod("client", { node = "node-1" })
  createService("backend", { selector = { app = "backend" },
    ports = { { name = "http", port = 80, targetPort = "http" } } })
  --- check
  assertEqual(getPod("backend").node, "node-3")
  assertEqual(getPod("client").node, "node-1")
  return endpoints("backend")
end)

--- step: The client's node handles the connection
-- `connect` tells which node's kube-proxy handled the packet (`entryNode`) and
-- where the backend runs (`node`). The rewrite happened on node-1; the pod is on
-- node-3. The source the backend sees is the client pod's own IP: no SNAT.
test("The client's node handles the connection", function()
  local r = connect("client", "backend:80")
  --- check
  assertEqual(r.entryNode, "node-1")
  assertEqual(r.node, "node-3")
  assertEqual(r.pod, "backend")
  assertEqual(r.port, 8080)
  assertEqual(r.servicePort, 80)
  assertEqual(r.sourceIP, getPod("client").ip)
  return string.format("entryNode=%s node=%s pod=%s %s:%d sourceIP=%s",
    r.entryNode, r.node, r.pod, r.podIP, r.port, r.sourceIP)
end)

--- step: The hops, one by one
-- `trace` shows every decision: the DNS lookup, kube-proxy's rules on node-1
-- ending in DNAT to the pod's IP, the route to node-3's pod range through the
-- tunnel, and delivery on node-3.
test("The hops, one by one", function()
  local t = trace("client", "backend:80")
  --- check
  local text = tostring(t)
  local node3 = getNode("node-3")
  assert(text:find("DNAT --to-destination " .. getPod("backend").ip .. ":8080", 1, true), text)
  assert(text:find("route " .. node3.podCIDR .. " via " .. node3.ip, 1, true), text)
  assert(text:find("[node-3] delivered to pod default/backend", 1, true), text)
  return t
end)
-- The DNAT happened before the packet left node-1, so the tunnel carried a
-- packet addressed to the pod, not to the ClusterIP. Nothing on node-3 needs to
-- know about the Service. The reply takes the same way back, and node-1's
-- connection tracking turns the pod's address back into the ClusterIP.

--- step: From the node itself: a masqueraded source
-- Now a process on node-1 itself, not in a pod, connects to the ClusterIP. Its
-- address, node-1's own, lies outside the pod network, so the Service's chain
-- marks the packet (KUBE-MARK-MASQ) for kube-proxy's KUBE-POSTROUTING. But
-- Calico's own rule in cali-POSTROUTING comes first: a host address leaving
-- by the IP-in-IP tunnel `tunl0` is masqueraded there. MASQUERADE takes the
-- address of the interface the packet leaves by, and tunl0's address is one
-- Calico took from node-1's own pod block: the backend sees the connection
-- come from 10.244.0.0, an address no pod has. `sourceReason` says why, in
-- one line.
test("From the node itself: a masqueraded source", function()
  local r = connect({ node = "node-1" }, getService("backend").clusterIP .. ":80")
  --- check
  local block = getNode("node-1").podCIDR:match("^(.-)/")
  assertEqual(r.sourceIP, block)
  assert(r.sourceReason:find("Calico's cali-POSTROUTING on node-1 masqueraded", 1, true), r.sourceReason)
  assert(r.sourceReason:find("tunl0, whose address " .. block .. " is node-1's tunnel address", 1, true),
    r.sourceReason)
  local text = tostring(trace({ node = "node-1" }, getService("backend").clusterIP .. ":80"))
  assert(text:find("→ source " .. block .. ": Calico's cali-POSTROUTING on node-1", 1, true), text)
  --- end
  return r.sourceIP, r.sourceReason
end)
-- A pod client keeps its own address (the previous steps): kube-proxy marks
-- only packets from outside the pod network, node ports and external addresses
-- (with `externalTrafficPolicy: Cluster`) and a pod reaching itself.

--- step: A client on the backend's node stays local
-- From a pod on node-3 the same Service needs no tunnel: the packet goes
-- through the node's veth straight to the pod.
test("A client on the backend's node stays local", function()
  addPod("neighbour", { node = "node-3" })
  local r = connect("neighbour", "backend:80")
  --- check
  assertEqual(r.entryNode, "node-3")
  assertEqual(r.node, "node-3")
  local text = tostring(trace("neighbour", "backend:80"))
  assert(not text:find("tunnel", 1, true), text)
  return trace("neighbour", "backend:80")
end)

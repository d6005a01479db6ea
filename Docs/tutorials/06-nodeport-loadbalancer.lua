--- NodePort and LoadBalancer: traffic from outside
--
-- A ClusterIP only exists inside the cluster. A NodePort Service also opens one
-- port on every node; a LoadBalancer Service adds an external balancer (here the
-- simulated cloud's) that spreads clients over the nodes' NodePorts. This
-- tutorial follows a client on the Internet through both, and then shows what
-- `externalTrafficPolicy: Local` changes.

--- step: A NodePort opens the same port on every node
-- Two pods of `web`, on two of the three nodes, behind a NodePort Service. The
-- API server picked a port from 30000-32767; every node answers on it, also a
-- node with no `web` pod.
test("A NodePort opens the same port on every node", function()
  reset{}
  seed(6)
  for name, node in pairs({ ["web-a"] = "node-1", ["web-b"] = "node-2" }) do
    addPod(name, { node = node, labels = { app = "web" }, ports = { { containerPort = 8080 } } })
  end
  local svc = createService("web", { type = "NodePort", selector = { app = "web" },
    ports = { { port = 80, targetPort = 8080 } } })
  local port = svc.ports[1].nodePort
  --- check
  assert(port >= 30000 and port <= 32767, port)
  local lines = {}
  --- end
  for _, node in ipairs(nodes()) do
    local r = connect({ external = "203.0.113.7" }, node.ip .. ":" .. port)
    --- check
    assertEqual(r.entryNode, node.name)
    assertEqual(getPod(r.pod).labels.app, "web")
    lines[#lines + 1] = string.format("%s:%d (%s) -> %s on %s",
      node.ip, port, node.name, r.pod, r.node)
    --- end
  end
  --- check
  return table.concat(lines, "\n")
end)

--- step: The client's address is lost on the way
-- With the default `externalTrafficPolicy: Cluster`, the node that received the
-- packet may forward it to a pod on another node. To make the reply come back
-- through it, it masquerades (SNAT) the source: the pod sees an address of the
-- entry node (node-3 has no `web` pod, so the packet crosses the IP-in-IP tunnel
-- and carries node-3's tunnel address), not the client's.
test("The client's address is lost on the way", function()
  local port = getService("web").ports[1].nodePort
  local r = connect({ external = "203.0.113.7" }, getNode("node-3").ip .. ":" .. port)
  --- check
  assertEqual(r.entryNode, "node-3")
  assert(r.sourceIP ~= "203.0.113.7", "SNAT hides the client")
  assertEqual(r.sourceIP, getNode("node-3").podCIDR:match("^[%d.]+"), "node-3's tunnel address")
  local text = tostring(trace({ external = "203.0.113.7" }, getNode("node-3").ip .. ":" .. port))
  assert(text:find("MASQUERADE", 1, true), text)
  assert(r.sourceReason:find("node port or an external address", 1, true), r.sourceReason)
  --- end
  return "the pod sees " .. r.sourceIP .. " instead of 203.0.113.7", r.sourceReason
end)

--- step: A LoadBalancer spreads clients over the nodes
-- Changing the type to LoadBalancer keeps the NodePort and adds an external IP
-- from the cloud. The balancer sends each connection to one of the nodes, which
-- then forwards it like a NodePort.
test("A LoadBalancer spreads clients over the nodes", function()
  local svc = updateService("web", { type = "LoadBalancer" })
  local lb = svc.loadBalancerIngress[1]
  local entry = {}
  for i = 1, 300 do
    local r = connect({ external = "203.0.113.7" }, lb .. ":80")
    --- check
    assertEqual(getPod(r.pod).labels.app, "web")
    --- end
    entry[r.entryNode] = (entry[r.entryNode] or 0) + 1
  end
  --- check
  assertEqual(#svc.loadBalancerIngress, 1)
  for _, node in ipairs(nodes()) do
    assert((entry[node.name] or 0) > 0, node.name .. " gets traffic from the balancer")
  end
  return "load balancer " .. lb .. ", connections per entry node:", entry
end)

--- step: externalTrafficPolicy Local keeps the client IP
-- With `externalTrafficPolicy: Local` a node only sends external traffic to pods
-- on itself, so no SNAT is needed and the pod sees the real client. The API
-- server allocates a `healthCheckNodePort`; the balancer probes it and only uses
-- nodes that report local endpoints: node-1 and node-2, not node-3.
test("externalTrafficPolicy Local keeps the client IP", function()
  local svc = updateService("web", { externalTrafficPolicy = "Local" })
  local lb = svc.loadBalancerIngress[1]
  local entry = {}
  for i = 1, 100 do
    local r = connect({ external = "203.0.113.7" }, lb .. ":80")
    --- check
    assertEqual(r.sourceIP, "203.0.113.7")
    assertEqual(r.node, r.entryNode)
    --- end
    entry[r.entryNode] = (entry[r.entryNode] or 0) + 1
  end
  --- check
  assert(svc.healthCheckNodePort, "a health check node port is allocated")
  assertEqual(entry["node-3"], nil)
  return "healthCheckNodePort " .. svc.healthCheckNodePort, entry
end)

--- step: Nodes without pods drop
-- A client that goes to node-3's NodePort directly, bypassing the balancer, is
-- dropped: node-3 has no local endpoint and is not allowed to forward.
test("Nodes without pods drop", function()
  local port = getService("web").ports[1].nodePort
  local ok, reason = connect({ external = "203.0.113.7" }, getNode("node-3").ip .. ":" .. port)
  --- check
  assertEqual(ok, nil)
  assertEqual(reason:match("^%a+"), "dropped")
  local r = connect({ external = "203.0.113.7" }, getNode("node-1").ip .. ":" .. port)
  assertEqual(r.pod, "web-a")
  assertEqual(r.sourceIP, "203.0.113.7")
  return reason
end)

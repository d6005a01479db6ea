-- Helpers shared by the traceRules test files (Tests/lua/trace_rules*.lua), loaded with
-- dofile. Kept outside Tests/lua so that `svclab test` does not run it as a test file.

local M = {}

-- kube-proxy's overall-rules fixture (its proxier tests' conventions) rebuilt through the
-- API in `mode`, with `opts` for setProxyMode: six Services on test-node 192.168.0.2, one of
-- them (ns6/svc6, 172.30.0.46) without endpoints. Returns the node and its addresses.
function M.overall(mode, opts)
  reset{ system = false, nodes = 0, serviceCIDR = "172.30.0.0/16", podCIDR = "10.0.0.0/8",
    nodePortRange = "3000-30000" }
  addNode("test-node", { ip = "192.168.0.2" })
  setProxyMode(mode, opts)
  for i = 1, 6 do createNamespace("ns" .. i) end
  local function slice(ns, svc, endpoints)
    createEndpointSlice(svc .. "-1", { namespace = ns, service = svc, addressType = "IPv4",
      endpoints = endpoints, ports = { { name = "p80", port = 80, protocol = "TCP" } } })
  end
  local p80 = { { name = "p80", port = 80, targetPort = 80 } }
  createService("ns1/svc1", { clusterIP = "172.30.0.41", ports = { { name = "p80", port = 80 } } })
  createService("ns2/svc2", { type = "LoadBalancer", externalTrafficPolicy = "Local",
    clusterIP = "172.30.0.42", ports = { { name = "p80", port = 80, nodePort = 3001 } },
    loadBalancerIP = "1.2.3.4", externalIPs = { "192.168.99.22" }, healthCheckNodePort = 30000 })
  createService("ns3/svc3", { type = "NodePort", clusterIP = "172.30.0.43",
    ports = { { name = "p80", port = 80, nodePort = 3003 } } })
  createService("ns4/svc4", { clusterIP = "172.30.0.44", externalIPs = { "192.168.99.33" },
    ports = p80 })
  createService("ns5/svc5", { type = "LoadBalancer", externalTrafficPolicy = "Cluster",
    clusterIP = "172.30.0.45", ports = { { name = "p80", port = 80, nodePort = 3002 } },
    loadBalancerIP = "5.6.7.8", loadBalancerSourceRanges = { "203.0.113.0/25" },
    sessionAffinity = "ClientIP", sessionAffinityTimeout = 10800 })
  createService("ns6/svc6", { clusterIP = "172.30.0.46", ports = p80 })
  slice("ns1", "svc1", { { addresses = { "10.180.0.1" } } })
  slice("ns2", "svc2", { { addresses = { "10.180.0.2" } } })
  slice("ns3", "svc3", { { addresses = { "10.180.0.3" } } })
  slice("ns4", "svc4", { { addresses = { "10.180.0.4" } },
    { addresses = { "10.180.0.5" }, nodeName = "test-node" } })
  slice("ns5", "svc5", { { addresses = { "10.180.0.3" } } })
  return "test-node", { "192.168.0.2" }
end

-- Whether `sub` appears in `list` in order.
function M.subsequence(sub, list)
  local i = 1
  for _, x in ipairs(list) do if x == sub[i] then i = i + 1 end end
  return i > #sub
end

return M

-- checkInvariants(): the cluster, CoreDNS and every node's kube-proxy agree after each kind of
-- change — Services of every type, Deployments scaled and deleted, pods terminating and
-- flipping readiness, selector-less slices, nodes removed, namespaces deleted, proxy modes.

local function fresh()
  reset {}
  seed(17)
end

local function ok(step)
  local good, err = pcall(checkInvariants)
  assert(good, (step or "") .. ": " .. tostring(err))
  assertEqual(err, true, step)
end

test("a new cluster satisfies its invariants", function()
  fresh()
  ok("default cluster")
  reset { system = false }
  ok("empty cluster")
end)

test("Services of every type and their endpoints stay consistent", function()
  fresh()
  createDeployment("web", { replicas = 4, labels = { app = "web" }, ports = { { name = "http", containerPort = 8080 } } })
  local http = { { name = "http", port = 80, targetPort = "http" } }
  createService("web", { selector = { app = "web" }, ports = http })
  createService("np", { type = "NodePort", selector = { app = "web" }, ports = http })
  createService("lb", { type = "LoadBalancer", externalTrafficPolicy = "Local", selector = { app = "web" }, ports = http })
  createService("loc", { internalTrafficPolicy = "Local", selector = { app = "web" }, ports = http })
  createService("hl", { clusterIP = "None", selector = { app = "web" }, ports = http })
  createService("ext", { type = "ExternalName", externalName = "example.com" })
  createService("ds", { ipFamilyPolicy = "PreferDualStack", selector = { app = "web" }, ports = http })
  createService("empty", { selector = { app = "none" }, ports = http })
  ok("created")
  scale("web", 7)
  ok("scaled up")
  scale("web", 2)
  ok("scaled down")
  updateService("web", { ports = { { name = "http", port = 8000, targetPort = "http" }, { name = "x", port = 9000, targetPort = 8080 } } })
  ok("ports changed")
  updateService("np", { type = "ClusterIP" })
  ok("NodePort became ClusterIP")
  deleteService("lb")
  ok("LoadBalancer deleted")
  deleteDeployment("web")
  ok("Deployment deleted")
end)

test("pods terminating and flipping readiness", function()
  fresh()
  for i = 1, 3 do addPod("web-" .. i, { node = "node-" .. i, labels = { app = "web" } }) end
  createService("web", { selector = { app = "web" }, ports = { { port = 80 } } })
  setPodReady("web-1", false)
  ok("unready")
  deletePod("web-2", { grace = 30 })
  ok("terminating")
  advance(31)
  ok("terminated")
  setPodReady("web-1", true)
  ok("ready again")
end)

test("selector-less Services with hand-written slices", function()
  fresh()
  createService("db", { ports = { { name = "pg", port = 5432 } } })
  createEndpointSlice("db-1", { service = "db", addressType = "IPv4",
    endpoints = { { addresses = { "192.0.2.5" } }, { addresses = { "192.0.2.6" }, conditions = { ready = false } } },
    ports = { { name = "pg", port = 5432 } } })
  ok("manual slice")
end)

test("nodes and namespaces going away, proxy modes changing", function()
  fresh()
  createNamespace("shop")
  createDeployment("cart", { namespace = "shop", replicas = 3, labels = { app = "cart" } })
  createService("cart", { namespace = "shop", selector = { app = "cart" }, ports = { { port = 80 } } })
  ok("namespace filled")
  removeNode("node-3")
  ok("node removed")
  setProxyMode("ipvs", { node = "node-1" })
  setProxyMode("nftables", { node = "node-2" })
  ok("mixed modes")
  deleteNamespace("shop")
  ok("namespace deleted")
end)

test("DNS settings that hide names are not violations", function()
  fresh()
  createService("empty", { selector = { app = "none" }, ports = { { port = 80 } } })
  dnsConfig { ignoreEmptyService = true }
  ok("ignoreEmptyService")
  dnsConfig { namespaces = { "kube-system" } }
  ok("namespaces")
end)

-- The API objects: nodes, namespaces, pods (scheduling, IPs, graceful deletion, readiness),
-- Deployments, Services (allocation of IPs and ports, every type), EndpointSlices and the reads.

-- Runs a case on a fresh default cluster.
local function case(name, fn)
  test(name, function()
    reset({})
    fn()
  end)
end

-- Runs a case on an empty cluster with nodes n1..n3 (no system pods to skew scheduling).
local function bare(name, fn)
  test(name, function()
    reset({ system = false, nodes = 0 })
    addNode("n1", { zone = "zone-a" })
    addNode("n2", { zone = "zone-b" })
    addNode("n3", { zone = "zone-c" })
    fn()
  end)
end

-- Asserts that fn raises exactly `expected` (after Lua's "file:line: " position).
local function raises(fn, expected)
  local ok, err = pcall(fn)
  assert(not ok, "expected the error: " .. expected)
  assertEqual((tostring(err):gsub("^[^:]*:%d+: ", "")), expected)
end

local function names(list)
  local out = {}
  for i, o in ipairs(list) do out[i] = o.name end
  return out
end

local function field(list, key)
  local out = {}
  for i, o in ipairs(list) do out[i] = o[key] end
  return out
end

-- Counts of pods per node name.
local function perNode(list)
  local out = {}
  for _, p in ipairs(list) do out[p.node] = (out[p.node] or 0) + 1 end
  return out
end

-- IPv4 text to a number, to compare addresses.
local function ipNumber(ip)
  local a, b, c, d = ip:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$")
  return ((tonumber(a) * 256 + tonumber(b)) * 256 + tonumber(c)) * 256 + tonumber(d)
end

-- pod-template-hash: the decimal FNV hash through the safe alphabet (digits map to 4-9, b-f);
-- the pod suffix: 5 characters of the safe alphabet.
local HASH = "[456789bcdf]+"
local SUFFIX = ("[bcdfghjklmnpqrstvwxz2456789]"):rep(5)

local web = { selector = { app = "web" }, ports = { { name = "http", port = 80, targetPort = 8080 } } }

-- Nodes

case("addNode returns the node with its zone, region, labels and the next pod /24", function()
  local n = addNode("node-4", { zone = "zone-d", region = "r2", labels = { disk = "ssd" } })
  assertEqual(n.name, "node-4")
  assertEqual(n.zone, "zone-d")
  assertEqual(n.region, "r2")
  assertEqual(n.podCIDR, "10.244.3.0/24")
  assertEqual(n.labels.disk, "ssd")
  assertEqual(n.labels["topology.kubernetes.io/zone"], "zone-d")
  assertEqual(n.labels["kubernetes.io/hostname"], "node-4")
  assertEqual(getNode("node-4").ip, n.ip)
end)

case("addNode of an existing name raises", function()
  raises(function() addNode("node-1") end, 'addNode: nodes "node-1" already exists')
  assertEqual(#nodes(), 3)
end)

case("removeNode recreates Deployment pods elsewhere and drops bare pods", function()
  createDeployment("web", { replicas = 3 })
  addPod("bare", { node = "node-1" })
  removeNode("node-1")
  assertEqual(getNode("node-1"), nil)
  assertEqual(getPod("bare"), nil)
  local ps = pods({ selector = { app = "web" } })
  assertEqual(#ps, 3)
  for _, p in ipairs(ps) do assert(p.node ~= "node-1", p.name .. " still on node-1") end
  assertEqual(getDeployment("web").readyReplicas, 3)
  -- CoreDNS (a Deployment too) keeps its two replicas
  assertEqual(#pods({ namespace = "kube-system", selector = { ["k8s-app"] = "kube-dns" } }), 2)
end)

case("removeNode of an unknown node raises", function()
  raises(function() removeNode("node-9") end, 'removeNode: nodes "node-9" not found')
end)

-- Namespaces

case("createNamespace returns the namespace; deleteNamespace cascades", function()
  local ns = createNamespace("shop", { labels = { team = "a" } })
  assertEqual(ns.name, "shop")
  assertEqual(ns.labels, { team = "a", ["kubernetes.io/metadata.name"] = "shop" })
  createService("shop/web", web)
  createDeployment("shop/web", { replicas = 2 })
  addPod("shop/solo")
  assertEqual(#pods({ namespace = "shop" }), 3)
  deleteNamespace("shop")
  assertEqual(getNamespace("shop"), nil)
  assertEqual(#services({ namespace = "shop" }), 0)
  assertEqual(#pods({ namespace = "shop" }), 0)
  assertEqual(#deployments({ namespace = "shop" }), 0)
  assertEqual(cluster().counts.services, 2)
end)

case("deleting the current namespace goes back to default", function()
  createNamespace("tmp")
  useNamespace("tmp")
  deleteNamespace("tmp")
  assertEqual(cluster().namespace, "default")
end)

-- Pods

bare("the scheduler picks the least loaded node, ties broken by name", function()
  assertEqual(field({ addPod("a"), addPod("b"), addPod("c") }, "node"), { "n1", "n2", "n3" })
  addPod("d", { node = "n1" })
  addPod("e", { node = "n1" })
  -- n1 has 3, n2 and n3 have 1: n2 wins the tie
  assertEqual(addPod("f").node, "n2")
  assertEqual(addPod("g").node, "n3")
end)

bare("pod IPs come from the node's podCIDR, or as given", function()
  local p = addPod("a", { node = "n2" })
  assert(p.ip:match("^10%.244%.1%.%d+$"), p.ip)
  assertEqual(p.ips, { p.ip })
  local q = addPod("b", { node = "n2", ip = "10.244.1.50" })
  assertEqual(q.ip, "10.244.1.50")
  raises(function() addPod("c", { node = "n2", ip = "10.244.1.50" }) end,
    'addPod: Pod "c" is invalid: status.podIPs[0].ip: Invalid value: "10.244.1.50": provided IP is already allocated')
  assertEqual(getPod("c"), nil)
end)

bare("hostNetwork pods take their node's IP", function()
  local p = addPod("h", { node = "n3", hostNetwork = true })
  assertEqual(p.ip, getNode("n3").ip)
  assertEqual(p.hostNetwork, true)
  -- and use no pod IP: the next pod on n3 still gets the first free one
  local q = addPod("q", { node = "n3" })
  assert(q.ip:match("^10%.244%.2%."), q.ip)
end)

bare("addPod on an unknown node or twice raises and creates nothing", function()
  raises(function() addPod("x", { node = "nope" }) end, 'addPod: nodes "nope" not found')
  addPod("x")
  raises(function() addPod("x") end, 'addPod: pods "x" already exists')
  assertEqual(#pods({}), 1)
end)

case("addPod keeps labels, hostname, subdomain, ports and DNS settings", function()
  local p = addPod("p", {
    labels = { app = "db" }, hostname = "db-0", subdomain = "db",
    ports = { { name = "pg", containerPort = 5432 } },
    dnsPolicy = "None", dnsConfig = { nameservers = { "1.1.1.1" } },
  })
  assertEqual(p.labels, { app = "db" })
  assertEqual({ p.hostname, p.subdomain, p.dnsPolicy }, { "db-0", "db", "None" })
  assertEqual(p.ports, { { name = "pg", containerPort = 5432, protocol = "TCP" } })
  assertEqual(p.dnsConfig.nameservers, { "1.1.1.1" })
  assertEqual({ p.ready, p.phase }, { true, "Running" })
end)

case("deletePod with grace: Terminating, serving but not ready, gone after the grace", function()
  createService("web", web)
  addPod("a", { labels = { app = "web" } })
  advance(5)
  deletePod("a", { grace = 10 })
  local p = getPod("a")
  assertEqual(p.terminating, true)
  -- the API server stamps the end of the grace period
  assertEqual({ p.deletionTimestamp, p.deletionGracePeriodSeconds }, { 15, 10 })
  local e = endpoints("web")[1]
  assertEqual({ e.pod, e.ready, e.serving, e.terminating }, { "a", false, true, true })
  advance(9)
  assert(getPod("a") ~= nil, "gone before its grace period ended")
  advance(1)
  assertEqual(getPod("a"), nil)
  assertEqual(endpoints("web"), {})
end)

case("deletePod defaults to 30 seconds and grace 0 deletes at once", function()
  addPod("a")
  addPod("b")
  deletePod("a")
  advance(29)
  assert(getPod("a") ~= nil, "the default grace is 30 seconds")
  advance(1)
  assertEqual(getPod("a"), nil)
  deletePod("b", { grace = 0 })
  assertEqual(getPod("b"), nil)
end)

case("deletePod of a missing pod or with negative grace raises", function()
  raises(function() deletePod("nope") end, 'deletePod: pods "nope" not found')
  addPod("a")
  assertError(function() deletePod("a", { grace = -1 }) end, "deletePod: .*%-1")
  assertEqual(getPod("a").terminating, false)
end)

case("setPodReady flips the endpoint's ready and serving", function()
  createService("web", web)
  addPod("a", { labels = { app = "web" } })
  local p = setPodReady("a", false)
  assertEqual(p.ready, false)
  local e = endpoints("web")[1]
  assertEqual({ e.ready, e.serving, e.terminating }, { false, false, false })
  setPodReady("a", true)
  e = endpoints("web")[1]
  assertEqual({ e.ready, e.serving, e.terminating }, { true, true, false })
end)

case("publishNotReadyAddresses keeps unready and terminating endpoints ready", function()
  createService("web", { selector = { app = "web" }, publishNotReadyAddresses = true, ports = { { port = 80 } } })
  addPod("a", { labels = { app = "web" }, ready = false })
  local e = endpoints("web")[1]
  assertEqual({ e.ready, e.serving, e.terminating }, { true, false, false })
  deletePod("a")
  e = endpoints("web")[1]
  assertEqual({ e.ready, e.serving, e.terminating }, { true, false, true })
end)

-- Deployments

case("createDeployment names pods <name>-<hash>-<5 chars> and reports replicas", function()
  local d = createDeployment("web", { replicas = 3, ports = { { name = "http", containerPort = 8080 } } })
  assertEqual({ d.replicas, d.readyReplicas }, { 3, 3 })
  assertEqual(d.selector, { app = "web" })
  assert(d.podTemplateHash:match("^" .. HASH .. "$"), d.podTemplateHash)
  local ps = pods({ selector = { app = "web" } })
  assertEqual(#ps, 3)
  for _, p in ipairs(ps) do
    assert(p.name:match("^web%-" .. d.podTemplateHash .. "%-" .. SUFFIX .. "$"), p.name)
    assertEqual(p.deployment, "web")
    assertEqual(p.ports[1].containerPort, 8080)
  end
  -- spread over the nodes: one replica each
  assertEqual(perNode(ps), { ["node-1"] = 1, ["node-2"] = 1, ["node-3"] = 1 })
end)

case("scale up and down changes the pod count", function()
  createDeployment("web", { replicas = 2 })
  assertEqual(scale("web", 5).replicas, 5)
  assertEqual(#pods({ selector = { app = "web" } }), 5)
  scale("web", 1)
  advance(30)
  assertEqual(#pods({ selector = { app = "web" } }), 1)
  assertEqual(getDeployment("web").replicas, 1)
end)

case("deleteDeployment deletes its pods but never the Service", function()
  createService("web", web)
  createDeployment("web", { replicas = 3 })
  assertEqual(#endpoints("web"), 3)
  deleteDeployment("web")
  assertEqual(getDeployment("web"), nil)
  for _, e in ipairs(endpoints("web")) do assertEqual(e.terminating, true) end
  advance(30)
  assert(getService("web") ~= nil, "the Service was deleted")
  assertEqual(endpoints("web"), {})
  assertEqual(#pods({ selector = { app = "web" } }), 0)
end)

case("a Deployment with a selector other than its labels", function()
  local d = createDeployment("api", { replicas = 1, labels = { app = "api", tier = "be" }, selector = { tier = "be" } })
  assertEqual(d.selector, { tier = "be" })
  assertEqual(pods({ selector = { app = "api" } })[1].labels, { app = "api", tier = "be", ["pod-template-hash"] = d.podTemplateHash })
end)

-- Services

case("a ClusterIP comes from the dynamic band above the static one", function()
  for i = 1, 20 do
    local s = createService("s" .. i, { ports = { { port = 80 } } })
    local n = ipNumber(s.clusterIP)
    -- 10.96.0.0/12: offset 256, dynamic band 10.96.1.1 .. 10.111.255.254
    assert(n >= ipNumber("10.96.1.1") and n <= ipNumber("10.111.255.254"), s.clusterIP)
    assertEqual(s.clusterIPs, { s.clusterIP })
  end
end)

case("an explicit ClusterIP in the static band is honoured", function()
  local s = createService("fixed", { clusterIP = "10.96.0.20", ports = { { port = 80 } } })
  assertEqual(s.clusterIP, "10.96.0.20")
end)

case("NodePorts come from the dynamic band; healthCheckNodePort for LoadBalancer+Local", function()
  local s = createService("lb", {
    type = "LoadBalancer", externalTrafficPolicy = "Local", selector = { app = "web" },
    ports = { { name = "http", port = 80 }, { name = "dns", port = 53, protocol = "UDP" } },
  })
  for _, p in ipairs(s.ports) do
    assert(p.nodePort >= 30086 and p.nodePort <= 32767, tostring(p.nodePort))
  end
  assert(s.healthCheckNodePort >= 30000 and s.healthCheckNodePort <= 32767, tostring(s.healthCheckNodePort))
  assert(s.healthCheckNodePort ~= s.ports[1].nodePort and s.healthCheckNodePort ~= s.ports[2].nodePort)
  assertEqual(s.loadBalancerIngress, { "198.51.100.1" })
  assertEqual(s.externalTrafficPolicy, "Local")
end)

case("the same port number on TCP and UDP shares one NodePort", function()
  local s = createService("dns", { type = "NodePort", ports = {
    { name = "dns", port = 53, protocol = "UDP" }, { name = "dns-tcp", port = 53, protocol = "TCP" } } })
  assertEqual(s.ports[1].nodePort, s.ports[2].nodePort)
end)

case("a LoadBalancer with Cluster policy has no healthCheckNodePort; loadBalancerIP is honoured", function()
  local s = createService("lb", { type = "LoadBalancer", loadBalancerIP = "198.51.100.77", ports = { { port = 80 } } })
  assertEqual(s.healthCheckNodePort, nil)
  assertEqual(s.externalTrafficPolicy, "Cluster")
  assertEqual(s.loadBalancerIngress, { "198.51.100.77" })
end)

case("an explicit nodePort is honoured and can't be taken twice", function()
  local s = createService("np", { type = "NodePort", ports = { { port = 80, nodePort = 30080 } } })
  assertEqual(s.ports[1].nodePort, 30080)
  raises(function()
    createService("np2", { type = "NodePort", ports = { { port = 80, nodePort = 30080 } } })
  end, 'createService: Service "np2" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated')
end)

case("a headless Service has clusterIP None and takes no IP", function()
  local s = createService("db", { clusterIP = "None", selector = { app = "db" }, ports = { { port = 5432 } } })
  assertEqual({ s.clusterIP, s.clusterIPs }, { "None", { "None" } })
  assertEqual(s.ipFamilyPolicy, "SingleStack")
end)

case("an ExternalName Service has no IP, families or ports", function()
  local s = createService("ext", { type = "ExternalName", externalName = "example.com" })
  assertEqual({ s.type, s.externalName, s.clusterIP }, { "ExternalName", "example.com", nil })
  assertEqual({ s.clusterIPs, s.ipFamilies, s.ipFamilyPolicy }, { {}, {}, nil })
end)

case("dual-stack Services on a dual-stack cluster", function()
  reset({ serviceCIDR = { "10.96.0.0/16", "fd00:10:96::/112" } })
  local pref = createService("pref", { ipFamilyPolicy = "PreferDualStack", ports = { { port = 80 } } })
  assertEqual(pref.ipFamilies, { "IPv4", "IPv6" })
  assert(pref.clusterIPs[2]:match("^fd00:10:96::%x+$"), pref.clusterIPs[2])
  local v6 = createService("v6", { ipFamilies = { "IPv6" }, ports = { { port = 80 } } })
  assertEqual(v6.ipFamilyPolicy, "SingleStack")
  assertEqual(v6.clusterIP, v6.clusterIPs[1])
  assert(v6.clusterIP:match(":"), v6.clusterIP)
  local six4 = createService("six4", { ipFamilyPolicy = "RequireDualStack", ipFamilies = { "IPv6", "IPv4" }, ports = { { port = 80 } } })
  assert(six4.clusterIPs[1]:match(":") and six4.clusterIPs[2]:match("%."), table.concat(six4.clusterIPs, ","))
end)

case("PreferDualStack on a single-stack cluster gives one family", function()
  local s = createService("pref", { ipFamilyPolicy = "PreferDualStack", ports = { { port = 80 } } })
  assertEqual({ s.ipFamilies, #s.clusterIPs }, { { "IPv4" }, 1 })
end)

case("updateService changes the given fields and keeps the ClusterIP", function()
  local s = createService("web", web)
  local u = updateService("web", { type = "NodePort" })
  assertEqual(u.clusterIP, s.clusterIP)
  assertEqual(u.selector, { app = "web" })
  assert(u.ports[1].nodePort >= 30000, "no nodePort allocated")
  local back = updateService("web", { type = "ClusterIP", ports = { { name = "http", port = 80, targetPort = 8080 } } })
  assertEqual(back.ports[1].nodePort, nil)
  -- the released NodePort can be taken again
  createService("np", { type = "NodePort", ports = { { port = 1, nodePort = u.ports[1].nodePort } } })
end)

case("deleteService releases the ClusterIP", function()
  createService("web", { clusterIP = "10.96.5.5", ports = { { port = 80 } } })
  deleteService("web")
  assertEqual(getService("web"), nil)
  assertEqual(createService("again", { clusterIP = "10.96.5.5", ports = { { port = 80 } } }).clusterIP, "10.96.5.5")
end)

case("a Service selects pods by label and maps named targetPorts per pod", function()
  createService("web", { selector = { app = "web" }, ports = { { name = "http", port = 80, targetPort = "web" } } })
  addPod("a", { node = "node-1", labels = { app = "web" }, ports = { { name = "web", containerPort = 8080 } } })
  addPod("b", { node = "node-2", labels = { app = "web" }, ports = { { name = "web", containerPort = 9090 } } })
  addPod("c", { node = "node-3", labels = { app = "web" } })
  addPod("d", { labels = { app = "other" }, ports = { { name = "web", containerPort = 1 } } })
  local eps = endpoints("web")
  assertEqual(field(eps, "pod"), { "a", "b", "c" })
  assertEqual(field(eps, "port"), { 8080, 9090 })
  assertEqual(field(eps, "portName"), { "http", "http", "" })
  -- each port set has its own slice; c has no port named web, so its slice has no ports,
  -- which proxies skip
  local slices = endpointSlices("web")
  assertEqual(#slices, 3)
  for _, s in ipairs(slices) do
    if #s.ports == 0 then assertEqual(s.endpoints[1].targetRef.name, "c") end
  end
end)

case("createEndpointSlice feeds a selector-less Service", function()
  createService("ext", { ports = { { name = "http", port = 80 } } })
  local sl = createEndpointSlice("ext-1", {
    service = "ext",
    endpoints = {
      { addresses = { "192.0.2.2" }, conditions = { ready = false } },
      { addresses = { "192.0.2.1" }, hostname = "one", zone = "zone-a" },
    },
    ports = { { name = "http", port = 8080 } },
  })
  assertEqual(sl.labels["kubernetes.io/service-name"], "ext")
  assertEqual(sl.service, "ext")
  local eps = endpoints("ext")
  assertEqual(field(eps, "ip"), { "192.0.2.1", "192.0.2.2" })
  assertEqual({ eps[1].ready, eps[1].serving, eps[1].terminating, eps[1].hostname }, { true, true, false, "one" })
  -- an absent serving follows ready
  assertEqual({ eps[2].ready, eps[2].serving }, { false, false })
  assertEqual(#endpointSlices("ext"), 1)
end)

case("endpoints are sorted by IP then port", function()
  createService("multi", { selector = { app = "m" }, ports = { { name = "b", port = 90 }, { name = "a", port = 80 } } })
  addPod("z", { labels = { app = "m" }, ip = "10.244.0.9", node = "node-1" })
  addPod("y", { labels = { app = "m" }, ip = "10.244.0.10", node = "node-1" })
  local got = {}
  for _, e in ipairs(endpoints("multi")) do got[#got + 1] = e.ip .. ":" .. e.port end
  assertEqual(got, { "10.244.0.9:80", "10.244.0.9:90", "10.244.0.10:80", "10.244.0.10:90" })
end)

case("250 pods make 3 EndpointSlices of at most 100 endpoints", function()
  for i = 4, 10 do addNode("node-" .. i) end
  createService("big", { selector = { app = "big" }, ports = { { port = 80 } } })
  createDeployment("big", { replicas = 250 })
  local slices = endpointSlices("big")
  assertEqual(#slices, 3)
  local total = 0
  for _, s in ipairs(slices) do
    assert(#s.endpoints <= 100, #s.endpoints .. " endpoints in one slice")
    assertEqual(s.labels["endpointslice.kubernetes.io/managed-by"], "endpointslice-controller.k8s.io")
    total = total + #s.endpoints
  end
  assertEqual(total, 250)
  assertEqual(#endpoints("big"), 250)
end)

case("a Service with no endpoints keeps one empty slice", function()
  createService("none", { selector = { app = "none" }, ports = { { port = 80 } } })
  local slices = endpointSlices("none")
  assertEqual(#slices, 1)
  assertEqual({ slices[1].endpoints, slices[1].ports }, { {}, {} })
end)

-- Reads and names

case("the same Service name in two namespaces", function()
  createNamespace("other")
  local a = createService("web", web)
  local b = createService("other/web", { ports = { { port = 81 } } })
  assert(a.clusterIP ~= b.clusterIP)
  assertEqual(getService("web").ports[1].port, 80)
  assertEqual(getService("other/web").ports[1].port, 81)
  assertEqual(getService("web", { namespace = "other" }).ports[1].port, 81)
  deleteService("other/web")
  assert(getService("web") ~= nil, "deleted the wrong namespace's Service")
end)

case("names as ns/name and as object tables", function()
  createNamespace("shop")
  local p = addPod("cart", { namespace = "shop" })
  assertEqual(p.namespace, "shop")
  assertEqual(getPod("shop/cart").ip, p.ip)
  assertEqual(getPod(p).ip, p.ip)
  setPodReady(p, false)
  assertEqual(getPod("shop/cart").ready, false)
  local svc = createService("shop/cart", { ports = { { port = 80 } } })
  assertEqual(getService(svc).clusterIP, svc.clusterIP)
  deleteService(svc)
  assertEqual(getService("shop/cart"), nil)
  assertEqual(getNode(getNode("node-2")).name, "node-2")
  assertError(function() getPod("a/b/c") end, "getPod: bad argument #1")
end)

case("get* return nil for missing objects", function()
  assertEqual({ getService("nope"), getPod("nope"), getNode("nope"), getDeployment("nope") }, {})
end)

case("lists filter by namespace and selector", function()
  createNamespace("shop")
  addPod("a", { labels = { app = "x", tier = "fe" } })
  addPod("b", { labels = { app = "x", tier = "be" } })
  addPod("shop/c", { labels = { app = "x" } })
  -- Like kubectl, a list covers the current namespace unless told otherwise.
  assertEqual(names(pods({ selector = { app = "x" } })), { "a", "b" })
  assertEqual(names(pods({ allNamespaces = true, selector = { app = "x" } })), { "a", "b", "c" })
  assertEqual(names(pods({ namespace = "default", selector = { app = "x" } })), { "a", "b" })
  useNamespace("shop")
  assertEqual(names(pods()), { "c" })
  useNamespace("default")
  assertEqual(names(pods({ selector = "app=x,tier=be" })), { "b" })
  assertEqual(names(pods({ namespace = "shop" })), { "c" })
  createService("s1", { selector = { app = "x" }, labels = { team = "t" }, ports = { { port = 80 } } })
  assertEqual(names(services({ namespace = "default" })), { "kubernetes", "s1" })
  assertEqual(names(services({ selector = { team = "t" } })), { "s1" })
  assertEqual(names(services({ namespace = "kube-system" })), { "kube-dns" })
  assertEqual(names(deployments({ namespace = "kube-system" })), { "coredns" })
  assertEqual(#deployments({ namespace = "default" }), 0)
end)

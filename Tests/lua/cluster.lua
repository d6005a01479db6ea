-- The cluster as a whole: reset's defaults (kubeadm's system objects) and options, cluster(),
-- the seeded generator, the logical clock and the current namespace.

local function names(list)
  local out = {}
  for i, o in ipairs(list) do out[i] = o.name end
  return out
end

local function portsOf(svc)
  local out = {}
  for i, p in ipairs(svc.ports) do out[i] = { p.name, p.port, p.protocol } end
  return out
end

-- The alphabet of generated name suffixes (apimachinery's rand.String, no vowels).
local SAFE = "[bcdfghjklmnpqrstvwxz2456789]"

-- Runs a case on a fresh default cluster, as a new svclab process starts.
local function case(name, fn)
  test(name, function()
    reset({})
    fn()
  end)
end

-- Asserts that fn raises exactly `expected` (after Lua's "file:line: " position).
local function raises(fn, expected)
  local ok, err = pcall(fn)
  assert(not ok, "expected the error: " .. expected)
  assertEqual((tostring(err):gsub("^[^:]*:%d+: ", "")), expected)
end

-- What one script makes after a given seed: a Service IP, a pod IP and Deployment pod names.
local function fingerprint()
  local svc = createService("web", { selector = { app = "web" }, ports = { { port = 80 } } })
  local pod = addPod("client")
  createDeployment("web", { replicas = 3 })
  local out = { svc.clusterIP, pod.ip }
  for _, p in ipairs(pods({ selector = { app = "web" } })) do out[#out + 1] = p.name end
  return out
end

test("reset{} gives three nodes node-1..3 in zones zone-a..c with a /24 each", function()
  local ns = nodes()
  assertEqual(names(ns), { "node-1", "node-2", "node-3" })
  assertEqual({ ns[1].zone, ns[2].zone, ns[3].zone }, { "zone-a", "zone-b", "zone-c" })
  assertEqual({ ns[1].podCIDR, ns[2].podCIDR, ns[3].podCIDR },
    { "10.244.0.0/24", "10.244.1.0/24", "10.244.2.0/24" })
  assertEqual(ns[2].labels["topology.kubernetes.io/zone"], "zone-b")
  assertEqual(ns[3].labels["kubernetes.io/hostname"], "node-3")
end)

case("reset{} creates the four system namespaces", function()
  assertEqual(names(namespaces()), { "default", "kube-node-lease", "kube-public", "kube-system" })
end)

case("default/kubernetes takes the first service IP with port https 443/TCP", function()
  local k = getService("default/kubernetes")
  assertEqual(k.type, "ClusterIP")
  assertEqual(k.clusterIP, "10.96.0.1")
  assertEqual(k.clusterIPs, { "10.96.0.1" })
  assertEqual(portsOf(k), { { "https", 443, "TCP" } })
end)

case("kube-system/kube-dns takes the tenth IP with dns, dns-tcp and metrics", function()
  local d = getService("kube-system/kube-dns")
  assertEqual(d.clusterIP, "10.96.0.10")
  assertEqual(portsOf(d), { { "dns", 53, "UDP" }, { "dns-tcp", 53, "TCP" }, { "metrics", 9153, "TCP" } })
  assertEqual(d.selector, { ["k8s-app"] = "kube-dns" })
end)

case("kube-dns is backed by two ready CoreDNS pods", function()
  local core = pods({ namespace = "kube-system", selector = { ["k8s-app"] = "kube-dns" } })
  assertEqual(#core, 2)
  for _, p in ipairs(core) do
    assertEqual(p.ready, true, p.name)
    assert(p.name:match("^coredns%-" .. SAFE .. "+%-" .. SAFE:rep(5) .. "$"), p.name)
  end
  local eps = endpoints("kube-system/kube-dns")
  assertEqual(#eps, 6) -- two pods x three ports
  for _, e in ipairs(eps) do assertEqual(e.ready, true) end
end)

case("reset{system=false} is empty: no nodes, only the default namespace", function()
  reset({ system = false })
  assertEqual(names(namespaces()), { "default" })
  assertEqual(#nodes(), 0)
  assertEqual(#services({}), 0)
  assertEqual(#pods({}), 0)
  assertEqual(cluster().counts,
    { namespaces = 1, nodes = 0, pods = 0, services = 0, deployments = 0, endpointSlices = 0 })
end)

case("reset returns the cluster table", function()
  local c = reset({ domain = "example.org" })
  assertEqual(c.domain, "example.org")
  assertEqual(cluster().domain, "example.org")
end)

case("a custom serviceCIDR moves the system Service IPs", function()
  reset({ serviceCIDR = "10.0.0.0/24" })
  assertEqual(getService("kubernetes").clusterIP, "10.0.0.1")
  assertEqual(getService("kube-system/kube-dns").clusterIP, "10.0.0.10")
  assertEqual(cluster().serviceCIDR, { "10.0.0.0/24" })
end)

case("a dual-stack serviceCIDR list allows dual-stack Services", function()
  reset({ serviceCIDR = { "10.0.0.0/24", "fd00:10:96::/112" } })
  assertEqual(cluster().serviceCIDR, { "10.0.0.0/24", "fd00:10:96::/112" })
  -- kubeadm's Services stay single-stack on the primary family
  assertEqual(getService("kube-system/kube-dns").clusterIPs, { "10.0.0.10" })
  local s = createService("ds", { ipFamilyPolicy = "RequireDualStack", ports = { { port = 80 } } })
  assertEqual(s.ipFamilies, { "IPv4", "IPv6" })
  assertEqual(#s.clusterIPs, 2)
  assert(s.clusterIPs[2]:match("^fd00:10:96::"), s.clusterIPs[2])
end)

case("an IPv6-only serviceCIDR puts kubernetes on ::1", function()
  reset({ serviceCIDR = "fd00:10:96::/112" })
  assertEqual(getService("kubernetes").clusterIP, "fd00:10:96::1")
  assertEqual(getService("kube-system/kube-dns").clusterIP, "fd00:10:96::a")
end)

case("a custom podCIDR is cut into a /24 per node", function()
  reset({ podCIDR = "10.100.0.0/16" })
  assertEqual(getNode("node-2").podCIDR, "10.100.1.0/24")
  assertEqual(addPod("p", { node = "node-3" }).ip:match("^10%.100%.2%.") ~= nil, true)
end)

case("a custom nodePortRange bounds allocated NodePorts", function()
  reset({ nodePortRange = "31000-31009" })
  assertEqual(cluster().nodePortRange, "31000-31009")
  for i = 1, 10 do
    local s = createService("np" .. i, { type = "NodePort", ports = { { port = 80 } } })
    local np = s.ports[1].nodePort
    assert(np >= 31000 and np <= 31009, tostring(np))
  end
  assertError(function()
    createService("np11", { type = "NodePort", ports = { { port = 80 } } })
  end, "range is full")
end)

case("nodes as a number", function()
  reset({ nodes = 5 })
  assertEqual(names(nodes()), { "node-1", "node-2", "node-3", "node-4", "node-5" })
  assertEqual(getNode("node-4").zone, "zone-a")
end)

case("nodes as a list of names", function()
  reset({ nodes = { "alpha", "beta" } })
  assertEqual(names(nodes()), { "alpha", "beta" })
  assertEqual(getNode("beta").zone, "zone-b")
end)

case("bad CIDRs raise and keep the old cluster", function()
  createService("keep", { ports = { { port = 80 } } })
  assertError(function() reset({ serviceCIDR = "banana" }) end, "reset: .*banana")
  assertError(function() reset({ serviceCIDR = "10.0.0.0/33" }) end, "reset: .*10%.0%.0%.0/33")
  assertError(function() reset({ podCIDR = "10.0.0.0" }) end, "reset: .*10%.0%.0%.0")
  raises(function() reset({ serviceCIDR = "10.0.0.0/8" }) end,
    "reset: specified service CIDR 10.0.0.0/8 is too large; for 32-bit addresses, the mask must be >= 12")
  assertError(function() reset({ serviceCIDR = "fd00::/48" }) end,
    "for 128%-bit addresses, the mask must be >= 64")
  assert(getService("keep") ~= nil, "a failed reset replaced the cluster")
end)

case("bad options raise", function()
  assertError(function() reset({ nodePortRange = "32767-30000" }) end, "reset: .*32767%-30000")
  assertError(function() reset({ nodePortRange = "abc" }) end, "reset: .*abc")
  raises(function() reset({ colour = "blue" }) end,
    'reset: strict decoding error: unknown field "opts.colour"')
  assertError(function() reset({ nodes = "many" }) end, "reset: opts%.nodes: ")
  assertError(function() reset({ nodes = -1 }) end, "reset: opts%.nodes: ")
  assertError(function() reset({ system = "yes" }) end, "reset: opts%.system: boolean expected, got string")
end)

case("cluster() reports settings and object counts", function()
  local c = cluster()
  assertEqual(c.domain, "cluster.local")
  assertEqual(c.serviceCIDR, { "10.96.0.0/12" })
  assertEqual(c.podCIDR, "10.244.0.0/16")
  assertEqual(c.nodePortRange, "30000-32767")
  assertEqual(c.counts,
    { namespaces = 4, nodes = 3, pods = 2, services = 2, deployments = 1, endpointSlices = 2 })
  addPod("p")
  assertEqual(cluster().counts.pods, 3)
end)

case("the same seed gives the same IPs and names", function()
  seed(42)
  local first = fingerprint()
  reset({})
  seed(42)
  assertEqual(fingerprint(), first)
end)

case("reset{seed=} is deterministic too, and another seed differs", function()
  reset({ seed = 9 })
  local first = fingerprint()
  reset({ seed = 9 })
  assertEqual(fingerprint(), first)
  reset({ seed = 10 })
  local other = fingerprint()
  assert(other[1] ~= first[1] or other[3] ~= first[3], "seed 10 gave seed 9's objects")
end)

case("now and advance move the logical clock only on request", function()
  assertEqual(now(), 0)
  assertEqual(advance(10), 10)
  assertEqual(now(), 10)
  assertEqual(advance(2.5), 12.5)
  assertEqual(advance(0), 12.5)
  assertError(function() advance(-1) end, "advance: bad argument #1")
  assertError(function() advance("soon") end, "advance: bad argument #1")
  reset({})
  assertEqual(now(), 0)
end)

case("useNamespace sets the namespace of bare names and returns the previous one", function()
  assertEqual(useNamespace("kube-system"), "default")
  assertEqual(cluster().namespace, "kube-system")
  assertEqual(addPod("here").namespace, "kube-system")
  assertEqual(getPod("here").name, "here")
  assertEqual(getPod("default/here"), nil)
  assertEqual(useNamespace("default"), "kube-system")
end)

case("useNamespace of an unknown namespace raises and changes nothing", function()
  raises(function() useNamespace("nope") end, 'useNamespace: namespaces "nope" not found')
  assertEqual(cluster().namespace, "default")
end)

case("reset goes back to the default namespace", function()
  useNamespace("kube-public")
  reset({})
  assertEqual(cluster().namespace, "default")
end)

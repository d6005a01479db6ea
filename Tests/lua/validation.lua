-- The API server's validation as scripts see it: invalid Services with the exact messages
-- kubectl prints after "The", existence errors, namespaces, names, replicas, argument types,
-- strict decoding of spec tables, and that a failing call changes nothing.

-- Asserts that fn raises exactly `expected` (after Lua's "file:line: " position).
local function raises(fn, expected)
  local ok, err = pcall(fn)
  assert(not ok, "expected the error: " .. expected)
  assertEqual((tostring(err):gsub("^[^:]*:%d+: ", "")), expected)
end

-- A snapshot of everything a failed call must leave as it was.
local function state()
  return { counts = cluster().counts, services = services({}), pods = pods({}) }
end

local DNS1035 = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
  .. "start with an alphabetic character, and end with an alphanumeric character "
  .. "(e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
local RFC1123_LABEL = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters "
  .. "or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or "
  .. "'123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
local RFC1123_SUBDOMAIN = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
  .. "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
  .. "'example.com', regex used for validation is "
  .. "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
local VALID_IP = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
local PORT_RANGE = "must be between 1 and 65535, inclusive"

-- Invalid Services: { case name, Service name, spec, message after 'Service "<name>" is invalid: ' }.
local invalid = {
  { "port above 65535 (targetPort defaults to it)", "web", { ports = { { port = 70000 } } },
    "[spec.ports[0].port: Invalid value: 70000: " .. PORT_RANGE
      .. ", spec.ports[0].targetPort: Invalid value: 70000: " .. PORT_RANGE .. "]" },
  { "port 0 with a targetPort", "web", { ports = { { port = 0, targetPort = 8080 } } },
    "spec.ports[0].port: Invalid value: 0: " .. PORT_RANGE },
  { "name not a DNS-1035 label", "My_Svc", { ports = { { port = 80 } } },
    'metadata.name: Invalid value: "My_Svc": ' .. DNS1035 },
  { "name starting with a digit", "1web", { ports = { { port = 80 } } },
    'metadata.name: Invalid value: "1web": ' .. DNS1035 },
  { "name of 64 characters", ("a"):rep(64), { ports = { { port = 80 } } },
    'metadata.name: Invalid value: "' .. ("a"):rep(64) .. '": must be no more than 63 characters' },
  { "no ports", "web", { selector = { app = "web" } }, "spec.ports: Required value" },
  { "several ports need names", "web", { ports = { { port = 80 }, { port = 81 } } },
    "[spec.ports[0].name: Required value, spec.ports[1].name: Required value]" },
  { "upper-case port name", "web", { ports = { { name = "HTTP", port = 80 } } },
    'spec.ports[0].name: Invalid value: "HTTP": ' .. RFC1123_LABEL },
  { "duplicate port names", "web", { ports = { { name = "a", port = 80 }, { name = "a", port = 81 } } },
    'spec.ports[1].name: Duplicate value: "a"' },
  { "unsupported protocol", "web", { ports = { { port = 80, protocol = "ICMP" } } },
    'spec.ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"' },
  { "protocols are case-sensitive", "web", { ports = { { port = 80, protocol = "tcp" } } },
    'spec.ports[0].protocol: Unsupported value: "tcp": supported values: "SCTP", "TCP", "UDP"' },
  { "same port and protocol twice", "web", { ports = { { name = "a", port = 80 }, { name = "b", port = 80 } } },
    'spec.ports[1]: Duplicate value: {"Name":"","Protocol":"TCP","AppProtocol":null,"Port":80,"TargetPort":0,"NodePort":0}' },
  { "targetPort above 65535", "web", { ports = { { port = 80, targetPort = 70000 } } },
    "spec.ports[0].targetPort: Invalid value: 70000: " .. PORT_RANGE },
  { "targetPort name longer than 15", "web", { ports = { { port = 80, targetPort = "a-very-long-port-name" } } },
    'spec.ports[0].targetPort: Invalid value: "a-very-long-port-name": must be no more than 15 characters' },
  { "targetPort name with an underscore", "web", { ports = { { port = 80, targetPort = "http_x" } } },
    'spec.ports[0].targetPort: Invalid value: "http_x": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)' },
  { "targetPort string of digits is a name without a letter", "web", { ports = { { port = 80, targetPort = "8080" } } },
    'spec.ports[0].targetPort: Invalid value: "8080": must contain at least one letter (a-z)' },
  { "targetPort name with consecutive hyphens", "web", { ports = { { port = 80, targetPort = "a--b" } } },
    'spec.ports[0].targetPort: Invalid value: "a--b": must not contain consecutive hyphens' },
  { "targetPort name starting with a hyphen", "web", { ports = { { port = 80, targetPort = "-ab" } } },
    'spec.ports[0].targetPort: Invalid value: "-ab": must not begin or end with a hyphen' },
  { "nodePort on a ClusterIP Service", "web", { ports = { { port = 80, nodePort = 30080 } } },
    "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'" },
  { "the same nodePort twice", "web",
    { type = "NodePort", ports = { { name = "a", port = 80, nodePort = 30100 }, { name = "b", port = 81, nodePort = 30100 } } },
    "spec.ports[1].nodePort: Duplicate value: 30100" },
  { "nodePort outside the range", "web", { type = "NodePort", ports = { { port = 80, nodePort = 29999 } } },
    "spec.ports[0].nodePort: Invalid value: 29999: provided port is not in the valid range. The range of valid ports is 30000-32767" },
  { "headless LoadBalancer", "web", { type = "LoadBalancer", clusterIP = "None", ports = { { port = 80 } } },
    "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for LoadBalancer services" },
  { "headless NodePort", "web", { type = "NodePort", clusterIP = "None", ports = { { port = 80 } } },
    "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services" },
  { "ExternalName with a clusterIP", "web", { type = "ExternalName", externalName = "example.com", clusterIP = "10.96.0.50" },
    "spec.clusterIPs: Forbidden: may not be set for ExternalName services" },
  { "ExternalName with IP families", "web",
    { type = "ExternalName", externalName = "example.com", ipFamilies = { "IPv4" }, ipFamilyPolicy = "SingleStack" },
    "[spec.ipFamilies: Forbidden: may not be set for ExternalName services, "
      .. "spec.ipFamilyPolicy: Forbidden: may not be set for ExternalName services]" },
  { "ExternalName without externalName", "web", { type = "ExternalName" }, "spec.externalName: Required value" },
  { "externalName not a DNS subdomain", "web", { type = "ExternalName", externalName = "Bad_Name" },
    'spec.externalName: Invalid value: "Bad_Name": ' .. RFC1123_SUBDOMAIN },
  { "ClientIP timeout 0", "web", { sessionAffinity = "ClientIP", sessionAffinityTimeout = 0, ports = { { port = 80 } } },
    "spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: must be greater than 0 and less than 86400" },
  { "ClientIP timeout above a day", "web", { sessionAffinity = "ClientIP", sessionAffinityTimeout = 86401, ports = { { port = 80 } } },
    "spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 86401: must be greater than 0 and less than 86400" },
  { "unsupported sessionAffinity", "web", { sessionAffinity = "Sticky", ports = { { port = 80 } } },
    'spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"' },
  { "source ranges on a ClusterIP Service", "web", { loadBalancerSourceRanges = { "10.0.0.0/8" }, ports = { { port = 80 } } },
    "spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'" },
  { "a source range that is no CIDR", "web", { type = "LoadBalancer", loadBalancerSourceRanges = { "10.0.0.0/33" }, ports = { { port = 80 } } },
    'spec.LoadBalancerSourceRanges[0]: Invalid value: "10.0.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)' },
  { "externalTrafficPolicy on an internal Service", "web", { externalTrafficPolicy = "Local", ports = { { port = 80 } } },
    'spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services' },
  { "healthCheckNodePort on a ClusterIP Service", "web", { healthCheckNodePort = 30000, ports = { { port = 80 } } },
    "spec.healthCheckNodePort: Invalid value: 30000: may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'" },
  { "unsupported internalTrafficPolicy", "web", { internalTrafficPolicy = "Sometimes", ports = { { port = 80 } } },
    'spec.internalTrafficPolicy: Unsupported value: "Sometimes": supported values: "Cluster", "Local"' },
  { "unsupported trafficDistribution", "web", { trafficDistribution = "X", ports = { { port = 80 } } },
    'spec.trafficDistribution: Unsupported value: "X": supported values: "PreferClose", "PreferSameNode", "PreferSameZone"' },
  { "unsupported type", "web", { type = "Foo", ports = { { port = 80 } } },
    'spec.type: Unsupported value: "Foo": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"' },
  { "clusterIP that is no IP", "web", { clusterIP = "10.0.0.256", ports = { { port = 80 } } },
    'spec.clusterIPs[0]: Invalid value: "10.0.0.256": ' .. VALID_IP },
  { "clusterIP already allocated", "web", { clusterIP = "10.96.0.10", ports = { { port = 80 } } },
    'spec.clusterIPs: Invalid value: ["10.96.0.10"]: failed to allocate IP 10.96.0.10: provided IP is already allocated' },
  { "clusterIP outside the service CIDR", "web", { clusterIP = "192.168.0.1", ports = { { port = 80 } } },
    'spec.clusterIPs: Invalid value: ["192.168.0.1"]: failed to allocate IP 192.168.0.1: the provided network does not match the current range' },
  { "external IP that is no IP", "web", { externalIPs = { "nope" }, ports = { { port = 80 } } },
    'spec.externalIPs[0]: Invalid value: "nope": ' .. VALID_IP },
  { "loadBalancerIP that is no IP", "web", { type = "LoadBalancer", loadBalancerIP = "x", ports = { { port = 80 } } },
    'spec.loadBalancerIP: Invalid value: "x": ' .. VALID_IP },
  { "IPv6 on an IPv4-only cluster", "web", { ipFamilies = { "IPv6" }, ports = { { port = 80 } } },
    'spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster' },
  { "RequireDualStack on a single-stack cluster", "web", { ipFamilyPolicy = "RequireDualStack", ports = { { port = 80 } } },
    'spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services' },
  { "unsupported ipFamilyPolicy", "web", { ipFamilyPolicy = "Maybe", ports = { { port = 80 } } },
    'spec.ipFamilyPolicy: Unsupported value: "Maybe": supported values: "PreferDualStack", "RequireDualStack", "SingleStack"' },
  { "unsupported IP family", "web", { ipFamilies = { "IPv5" }, ports = { { port = 80 } } },
    'spec.ipFamilies[0]: Unsupported value: "IPv5": supported values: "IPv4", "IPv6"' },
}

for _, c in ipairs(invalid) do
  local label, name, spec, message = c[1], c[2], c[3], c[4]
  test("invalid Service: " .. label, function()
    local before = state()
    raises(function() createService(name, spec) end,
      'createService: Service "' .. name .. '" is invalid: ' .. message)
    assertEqual(state(), before)
  end)
end

test("an externalName with one trailing dot is valid", function()
  assertEqual(createService("dot", { type = "ExternalName", externalName = "example.com." }).externalName, "example.com.")
end)

test("an externalName longer than 253 characters", function()
  local long = ("a."):rep(127) .. "com"
  raises(function() createService("long", { type = "ExternalName", externalName = long }) end,
    'createService: Service "long" is invalid: spec.externalName: Invalid value: "' .. long
      .. '": must be no more than 253 characters')
end)

test("externalIPs on a ClusterIP Service default externalTrafficPolicy to Cluster", function()
  local s = createService("ext", { externalIPs = { "192.0.2.9" }, ports = { { port = 80 } } })
  assertEqual(s.externalTrafficPolicy, "Cluster")
end)

test("a failed Service leaves its explicit clusterIP free", function()
  raises(function()
    createService("web", { clusterIP = "10.96.5.5", ports = { { port = 80 }, { port = 81 } } })
  end, 'createService: Service "web" is invalid: [spec.ports[0].name: Required value, spec.ports[1].name: Required value]')
  assertEqual(createService("web", { clusterIP = "10.96.5.5", ports = { { port = 80 } } }).clusterIP, "10.96.5.5")
  deleteService("web")
end)

test("a failed Service leaves its first nodePort free when a later one is taken", function()
  createService("taken", { type = "NodePort", ports = { { port = 80, nodePort = 30080 } } })
  local before = state()
  raises(function()
    createService("web", { type = "NodePort", clusterIP = "10.96.5.6",
      ports = { { name = "a", port = 80, nodePort = 30101 }, { name = "b", port = 81, nodePort = 30080 } } })
  end, 'createService: Service "web" is invalid: spec.ports[1].nodePort: Invalid value: 30080: provided port is already allocated')
  assertEqual(state(), before)
  local s = createService("web", { type = "NodePort", clusterIP = "10.96.5.6", ports = { { port = 80, nodePort = 30101 } } })
  assertEqual({ s.clusterIP, s.ports[1].nodePort }, { "10.96.5.6", 30101 })
  deleteService("web")
  deleteService("taken")
end)

test("a full NodePort range is an internal error and leaks nothing", function()
  reset({ nodePortRange = "30000-30001" })
  createService("a", { type = "NodePort", ports = { { port = 80 } } })
  createService("b", { type = "NodePort", ports = { { port = 80 } } })
  local before = state()
  raises(function() createService("c", { type = "NodePort", clusterIP = "10.96.7.7", ports = { { port = 80 } } }) end,
    "createService: Internal error occurred: failed to allocate a nodePort: range is full")
  assertEqual(state(), before)
  assertEqual(createService("c", { clusterIP = "10.96.7.7", ports = { { port = 80 } } }).clusterIP, "10.96.7.7")
  reset({})
end)

test("a full service range is an internal error", function()
  reset({ serviceCIDR = "10.0.0.0/29", system = false })
  for i = 1, 6 do createService("s" .. i, { ports = { { port = 80 } } }) end
  raises(function() createService("s7", { ports = { { port = 80 } } }) end,
    "createService: Internal error occurred: failed to allocate a serviceIP: range is full")
  assertEqual(#services({}), 6)
  reset({})
end)

test("duplicate name", function()
  createService("web", { ports = { { port = 80 } } })
  local before = state()
  raises(function() createService("web", { ports = { { port = 81 } } }) end, 'createService: services "web" already exists')
  assertEqual(state(), before)
  deleteService("web")
end)

test("not found", function()
  raises(function() deleteService("nope") end, 'deleteService: services "nope" not found')
  raises(function() updateService("nope", { type = "NodePort" }) end, 'updateService: services "nope" not found')
  raises(function() endpoints("nope") end, 'endpoints: services "nope" not found')
  raises(function() deletePod("nope") end, 'deletePod: pods "nope" not found')
  raises(function() scale("nope", 1) end, 'scale: deployments.apps "nope" not found')
  raises(function() deleteNamespace("nope") end, 'deleteNamespace: namespaces "nope" not found')
end)

test("updates that change or unset the ClusterIP", function()
  raises(function() updateService("kubernetes", { clusterIP = "10.96.0.2" }) end,
    'updateService: Service "kubernetes" is invalid: spec.clusterIPs[0]: Invalid value: ["10.96.0.2"]: may not change once set')
  assertEqual(getService("kubernetes").clusterIP, "10.96.0.1")
end)

test("a failed update changes nothing", function()
  local s = createService("web", { type = "NodePort", ports = { { port = 80 } } })
  raises(function() updateService("web", { ports = { { port = 70000, targetPort = 80 } } }) end,
    'updateService: Service "web" is invalid: spec.ports[0].port: Invalid value: 70000: ' .. PORT_RANGE)
  assertEqual(getService("web"), s)
  deleteService("web")
end)

test("an unknown namespace", function()
  local before = state()
  raises(function() createService("nope/web", { ports = { { port = 80 } } }) end, 'createService: namespaces "nope" not found')
  raises(function() createService("web", { namespace = "nope", ports = { { port = 80 } } }) end,
    'createService: namespaces "nope" not found')
  raises(function() addPod("p", { namespace = "nope" }) end, 'addPod: namespaces "nope" not found')
  raises(function() createDeployment("nope/d") end, 'createDeployment: namespaces "nope" not found')
  assertEqual(state(), before)
end)

test("invalid namespace names", function()
  raises(function() createNamespace("Bad_NS") end,
    'createNamespace: Namespace "Bad_NS" is invalid: metadata.name: Invalid value: "Bad_NS": ' .. RFC1123_LABEL)
  raises(function() createNamespace(("n"):rep(64)) end,
    'createNamespace: Namespace "' .. ("n"):rep(64) .. '" is invalid: metadata.name: Invalid value: "'
      .. ("n"):rep(64) .. '": must be no more than 63 characters')
  raises(function() createNamespace("default") end, 'createNamespace: namespaces "default" already exists')
  assertEqual(#namespaces(), 4)
end)

test("pod names: RFC 1123 subdomain of at most 253 characters", function()
  raises(function() addPod("Bad_Pod") end,
    'addPod: Pod "Bad_Pod" is invalid: metadata.name: Invalid value: "Bad_Pod": ' .. RFC1123_SUBDOMAIN)
  local long = ("p"):rep(254)
  raises(function() addPod(long) end,
    'addPod: Pod "' .. long .. '" is invalid: metadata.name: Invalid value: "' .. long .. '": must be no more than 253 characters')
  assertEqual(addPod(("p"):rep(253)).name, ("p"):rep(253))
end)

test("pod DNS settings", function()
  raises(function() addPod("p", { dnsPolicy = "Sometimes" }) end,
    'addPod: Pod "p" is invalid: spec.dnsPolicy: Unsupported value: "Sometimes": supported values: "ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"')
  raises(function() addPod("p", { dnsPolicy = "None" }) end,
    'addPod: Pod "p" is invalid: spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None')
  assertEqual(getPod("p"), nil)
end)

test("negative replicas", function()
  raises(function() createDeployment("d", { replicas = -1 }) end,
    'createDeployment: Deployment.apps "d" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0')
  raises(function() scale("kube-system/coredns", -1) end,
    'scale: Deployment.apps "coredns" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0')
  assertEqual(getDeployment("kube-system/coredns").replicas, 2)
  assertEqual(getDeployment("d"), nil)
end)

test("wrong argument types", function()
  raises(function() createService("web", nil) end, "createService: bad argument #2 (table expected, got nil)")
  raises(function() createService(nil, {}) end, "createService: bad argument #1 (string expected, got nil)")
  raises(function() createService(42, { ports = { { port = 80 } } }) end, "createService: bad argument #1 (string expected, got number)")
  raises(function() createService("web", { ports = "80" }) end, "createService: spec.ports: table expected, got string")
  raises(function() createService("web", { ports = { { port = "x" } } }) end, "createService: spec.ports[0].port: number expected, got string")
  raises(function() createService("web", { ports = { { port = 80.5 } } }) end,
    "createService: spec.ports[0].port: number has no integer representation")
  raises(function() createService("web", { selector = "app=web", ports = { { port = 80 } } }) end,
    "createService: spec.selector: table expected, got string")
  raises(function() setPodReady("kube-system/" .. pods({ namespace = "kube-system" })[1].name, "yes") end,
    "setPodReady: bad argument #2 (boolean expected, got string)")
  assertEqual(getService("web"), nil)
end)

test("unknown fields in spec tables are a strict decoding error", function()
  raises(function() createService("web", { bogus = 1, ports = { { port = 80 } } }) end,
    'createService: strict decoding error: unknown field "spec.bogus"')
  raises(function() createService("web", { ports = { { port = 80, bogus = 1 } } }) end,
    'createService: strict decoding error: unknown field "spec.ports[0].bogus"')
  raises(function() addPod("p", { colour = "red" }) end, 'addPod: strict decoding error: unknown field "opts.colour"')
  raises(function() createDeployment("d", { replica = 2 }) end, 'createDeployment: strict decoding error: unknown field "opts.replica"')
  assertEqual({ getService("web"), getPod("p"), getDeployment("d") }, {})
end)

test("EndpointSlice address types", function()
  createService("sel", { ports = { { port = 80 } } })
  raises(function() createEndpointSlice("x", { service = "sel", addressType = "IPv5" }) end,
    'createEndpointSlice: EndpointSlice.discovery.k8s.io "x" is invalid: addressType: Unsupported value: "IPv5": supported values: "FQDN", "IPv4", "IPv6"')
  assertEqual(endpointSlices("sel"), {})
end)

test("CIDRs that do not parse", function()
  assertError(function() reset({ serviceCIDR = "10.96.0.0/40" }) end, "reset: .*10%.96%.0%.0/40")
  assertError(function() reset({ podCIDR = "not-a-cidr" }) end, "reset: .*not%-a%-cidr")
  assertError(function() addNode("n", { podCIDR = "10.1.0.0/99" }) end, "addNode: .*10%.1%.0%.0/99")
  assertEqual(getNode("n"), nil)
  assertEqual(#nodes(), 3)
end)

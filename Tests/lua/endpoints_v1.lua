-- v1 Endpoints (the endpoints controller and the EndpointSlice mirroring controller), the
-- 1.33+ deprecation warning as kubectl prints it, kubectl's kind/name forms for get and
-- describe, and changing user-written EndpointSlices.

local WARNING = "Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice"

-- The error `fn` raises must contain `text` (plain text, not a pattern).
local function assertErrorText(fn, text)
  local ok, err = pcall(fn)
  assert(not ok, "expected an error containing " .. text)
  assert(tostring(err):find(text, 1, true), "error was: " .. tostring(err) .. "\nexpected: " .. text)
end

local function fixture()
  reset{ system = false }
  addNode("node-1", { zone = "zone-a" })
  addNode("node-2", { zone = "zone-b" })
  addPod("api-1", { node = "node-1", labels = { app = "api" }, ports = { { name = "http", containerPort = 8080 } } })
  addPod("api-2", { node = "node-2", labels = { app = "api" }, ports = { { name = "http", containerPort = 8080 } },
                    ready = false })
  addPod("api-3", { node = "node-2", labels = { app = "api" } })
  advance(30)
  createService("api", { selector = { app = "api" }, ports = { { name = "http", port = 80, targetPort = "http" } },
                         clusterIP = "10.96.100.10" })
  advance(600)
end

test("get endpoints prints the deprecation warning, then kubectl's table", function()
  fixture()
  assertEqual(get("endpoints"), WARNING .. "\n" .. [[
NAME   ENDPOINTS         AGE
api    10.244.0.1:8080   10m
]])
  assertEqual(get("ep"), get("endpoints"))
  assertEqual(get("ep", "api"), get("endpoints"))
  assertEqual(get("ep/api"), get("endpoints"))
end)

test("the endpoints controller groups addresses by port set, ready and not ready", function()
  fixture()
  local ep = getEndpoints("api")
  -- api-3 declares no port named http, so it has no address for that port.
  assertEqual(ep.subsets, { {
    addresses = { { ip = "10.244.0.1", nodeName = "node-1",
                    targetRef = { kind = "Pod", namespace = "default", name = "api-1" } } },
    notReadyAddresses = { { ip = "10.244.1.1", nodeName = "node-2",
                            targetRef = { kind = "Pod", namespace = "default", name = "api-2" } } },
    ports = { { name = "http", port = 8080, protocol = "TCP" } },
  } })
  setPodReady("api-2", true)
  assertEqual(#getEndpoints("api").subsets[1].addresses, 2)
  deleteService("api")
  assertEqual(getEndpoints("api"), nil)
end)

test("describe ep shows subsets as kubectl describe does", function()
  fixture()
  assertEqual(describe("ep", "api"), WARNING .. "\n" .. [[
Name:         api
Namespace:    default
Labels:       <none>
Annotations:  <none>
Subsets:
  Addresses:          10.244.0.1
  NotReadyAddresses:  10.244.1.1
  Ports:
    Name  Port  Protocol
    ----  ----  --------
    http  8080  TCP

Events:  <none>
]])
  assertEqual(describe("endpoints/api"), describe("ep", "api"))
end)

test("kubectl's kind/name forms and every name of a kind", function()
  fixture()
  local one = get("svc", "api")
  assertEqual(get("svc/api"), one)
  assertEqual(get("service/api"), one)
  assertEqual(get("services/api"), one)
  assertEqual(one, [[
NAME   TYPE        CLUSTER-IP     EXTERNAL-IP   PORT(S)   AGE
api    ClusterIP   10.96.100.10   <none>        80/TCP    10m
]])
  assertEqual(get("services"), get("svc"))
  assertEqual(describe("svc/api"), describe("svc", "api"))
  assertEqual(describe("service/api"), describe("svc", "api"))
  assertEqual(describe("pod/api-1"), describe("po", "api-1"))
  createDeployment("web", { replicas = 1, labels = { app = "web" } })
  assertEqual(get("deploy"), get("deployments"))
  assertEqual(get("deploy"), get("deployment.apps"))
  assertEqual(get("no/node-1"), get("nodes", "node-1"))
  assertErrorText(function() get("svc/nope") end, 'get: services "nope" not found')
  assertErrorText(function() describe("svc/") end, "describe: arguments in resource/name form must have a single resource and name")
  assertErrorText(function() get("widgets/x") end, 'get: the server doesn\'t have a resource type "widgets"')
end)

test("Endpoints written for a Service without a selector are mirrored into a slice", function()
  fixture()
  createService("ext", { ports = { { name = "https", port = 443 } } })
  local e = createEndpoints("ext", { subsets = { {
    addresses = { "192.0.2.10", { ip = "192.0.2.11", hostname = "b" } },
    notReadyAddresses = { "192.0.2.12" },
    ports = { { name = "https", port = 8443 } },
  } } })
  assertEqual(e.subsets[1].addresses[2].hostname, "b")
  local slices = endpointSlices("ext")
  assertEqual(#slices, 1)
  assertEqual(slices[1].labels["endpointslice.kubernetes.io/managed-by"], "endpointslicemirroring-controller.k8s.io")
  assertEqual(slices[1].ports, { { name = "https", port = 8443, protocol = "TCP" } })
  local ready = {}
  for _, ep in ipairs(endpoints("ext")) do ready[ep.ip] = ep.ready end
  assertEqual(ready, { ["192.0.2.10"] = true, ["192.0.2.11"] = true, ["192.0.2.12"] = false })
  updateEndpoints("ext", { subsets = { { addresses = { "192.0.2.20" }, ports = { { name = "https", port = 8443 } } } } })
  assertEqual(endpointSlices("ext")[1].name, slices[1].name)
  assertEqual(endpoints("ext")[1].ip, "192.0.2.20")
  deleteEndpoints("ext")
  assertEqual(#endpointSlices("ext"), 0)
end)

test("bad Endpoints are refused in the API server's words and change nothing", function()
  fixture()
  createService("ext", { ports = { { port = 443 } } })
  assertErrorText(function()
    createEndpoints("ext", { subsets = { { addresses = { "169.254.1.1" } } } })
  end, 'createEndpoints: Endpoints "ext" is invalid: subsets[0].addresses[0].ip: Invalid value: "169.254.1.1": may not be in the link-local range (169.254.0.0/16, fe80::/10)')
  assertEqual(getEndpoints("ext"), nil)
  assertErrorText(function() createEndpoints("ext", { subset = {} }) end, 'createEndpoints: strict decoding error: unknown field "opts.subset"')
  assertErrorText(function() deleteEndpoints("ext") end, 'deleteEndpoints: endpoints "ext" not found')
  assertErrorText(function() createEndpoints("api", { subsets = {} }) end, 'createEndpoints: endpoints "api" already exists')
end)

test("apply and export carry user-written Endpoints, not the controller's", function()
  fixture()
  local out = apply([[
apiVersion: v1
kind: Service
metadata:
  name: legacy
spec:
  ports:
  - port: 80
---
apiVersion: v1
kind: Endpoints
metadata:
  name: legacy
subsets:
- addresses:
  - ip: 192.0.2.50
  ports:
  - port: 8080
]])
  assertEqual(out, { "service/legacy created", "endpoints/legacy created" })
  assertEqual(endpoints("legacy")[1].ip, "192.0.2.50")
  local yaml = export()
  assert(yaml:find("kind: Endpoints\nmetadata:\n  name: legacy", 1, true), yaml)
  assert(not yaml:find("name: api\n  namespace: default\nsubsets", 1, true))
  reset{ system = false }
  addNode("node-1", { zone = "zone-a" })
  addNode("node-2", { zone = "zone-b" })
  apply(yaml)
  assertEqual(getEndpoints("legacy").subsets[1].addresses[1].ip, "192.0.2.50")
  assertEqual(#endpointSlices("legacy"), 1)
end)

test("updateEndpointSlice and deleteEndpointSlice let a selector-less Service's endpoints evolve", function()
  fixture()
  createService("manual", { ports = { { name = "http", port = 80 } } })
  createEndpointSlice("manual-1", { service = "manual", endpoints = { { addresses = { "192.0.2.1" } } },
                                    ports = { { name = "http", port = 8080 } } })
  local s = updateEndpointSlice("manual-1", { service = "manual",
    endpoints = { { addresses = { "192.0.2.1" } }, { addresses = { "192.0.2.2" }, conditions = { ready = false } } },
    ports = { { name = "http", port = 8080 } } })
  assertEqual(#s.endpoints, 2)
  assertEqual(#endpoints("manual"), 2)
  assertErrorText(function()
    updateEndpointSlice("manual-1", { addressType = "IPv6", endpoints = { { addresses = { "fd00::1" } } } })
  end, 'updateEndpointSlice: EndpointSlice.discovery.k8s.io "manual-1" is invalid: addressType: Invalid value: "IPv6": field is immutable')
  assertErrorText(function()
    updateEndpointSlice("manual-1", { endpoints = { { addresses = { "not-an-ip" } } } })
  end, 'updateEndpointSlice: EndpointSlice.discovery.k8s.io "manual-1" is invalid: endpoints[0].addresses[0]: Invalid value: "not-an-ip": must be a valid IPv4 address')
  assertEqual(#endpoints("manual"), 2)
  deleteEndpointSlice("manual-1")
  assertEqual(#endpoints("manual"), 0)
  assertErrorText(function() deleteEndpointSlice("manual-1") end, 'deleteEndpointSlice: endpointslices.discovery.k8s.io "manual-1" not found')
end)

-- The ReplicaSet `front`: `replicas` nginx pods, listening on 80 when `port`.
local function frontReplicaSet(replicas, port)
  return ([[
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: front
spec:
  replicas: %d
  selector:
    matchLabels: { app: front }
  template:
    metadata:
      labels: { app: front }
    spec:
      containers:
      - name: nginx
        image: nginx
]]):format(replicas) .. (port and "        ports:\n        - containerPort: 80\n" or "")
end

test("apply of a ReplicaSet and a DaemonSet creates the pods their controllers would", function()
  fixture()
  local out = apply(frontReplicaSet(3, true) .. [[
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels: { app: agent }
  template:
    metadata:
      labels: { app: agent }
    spec:
      containers:
      - name: agent
        image: busybox
]])
  assertEqual(out, { "replicaset.apps/front created", "daemonset.apps/agent created" })
  local front = pods{ selector = { app = "front" } }
  assertEqual(#front, 3)
  for _, p in ipairs(front) do
    assert(p.name:match("^front%-[bcdfghjklmnpqrstvwxz2456789][bcdfghjklmnpqrstvwxz2456789][bcdfghjklmnpqrstvwxz2456789][bcdfghjklmnpqrstvwxz2456789][bcdfghjklmnpqrstvwxz2456789]$"), p.name)
    assert(describe("po", p.name):find("Controlled By:  ReplicaSet/front", 1, true), describe("po", p.name))
  end
  local agents = pods{ selector = { app = "agent" } }
  local nodesSeen = {}
  for _, p in ipairs(agents) do
    assert(p.name:match("^agent%-%w%w%w%w%w$"), p.name)
    assertEqual(p.labels["pod-template-generation"], "1")
    nodesSeen[p.node] = true
  end
  assertEqual(nodesSeen, { ["node-1"] = true, ["node-2"] = true })
  -- Applying the same documents again changes nothing; a new replica count scales.
  assertEqual(apply(frontReplicaSet(1)), { "replicaset.apps/front configured" })
  local live, leaving = 0, 0
  for _, p in ipairs(pods{ selector = { app = "front" } }) do
    if p.terminating then leaving = leaving + 1 else live = live + 1 end
  end
  assertEqual({ live, leaving }, { 1, 2 })
end)

test("ServiceCIDR and IPAddress objects for the Service range and every ClusterIP", function()
  fixture()
  assertEqual(get("servicecidrs"), [[
NAME         CIDRS          AGE
kubernetes   10.96.0.0/12   10m
]])
  assertEqual(get("ipaddresses"), [[
NAME           PARENTREF
10.96.100.10   services/default/api
]])
  assertEqual(get("ipaddress/10.96.100.10"), get("ipaddresses"))
  deleteService("api")
  assertEqual(get("ipaddresses"), "No resources found\n")
end)

test("saveLab keeps Endpoints and EndpointSlices written by hand, and their changes", function()
  fixture()
  createService("ext", { ports = { { name = "https", port = 443 } } })
  createEndpoints("ext", { subsets = { { addresses = { "192.0.2.10" }, ports = { { name = "https", port = 8443 } } } } })
  updateEndpoints("ext", { subsets = { { addresses = { "192.0.2.20" }, ports = { { name = "https", port = 8443 } } } } })
  createService("manual", { ports = { { name = "http", port = 80 } } })
  createEndpointSlice("manual-1", { service = "manual", endpoints = { { addresses = { "192.0.2.1" } } },
                                    ports = { { name = "http", port = 8080 } } })
  createEndpointSlice("manual-2", { service = "manual", endpoints = { { addresses = { "192.0.2.3" } } },
                                    ports = { { name = "http", port = 8080 } } })
  updateEndpointSlice("manual-1", { service = "manual",
    endpoints = { { addresses = { "192.0.2.1" } }, { addresses = { "192.0.2.2" } } },
    ports = { { name = "http", port = 8080 } } })
  deleteEndpointSlice("manual-2")
  local before = { endpoints("ext"), endpoints("manual"), getEndpoints("ext") }
  local path = os.tmpname()
  saveLab(path)
  reset {}
  loadLab(path)
  os.remove(path)
  assertEqual({ endpoints("ext"), endpoints("manual"), getEndpoints("ext") }, before)
end)

test("a selector of two labels takes only the pods that carry both", function()
  fixture()
  addPod("both", { labels = { app = "web", tier = "x" } })
  addPod("app-only", { labels = { app = "web" } })
  addPod("tier-only", { labels = { tier = "x" } })
  createService("two", { selector = { app = "web", tier = "x" }, ports = { { port = 80 } } })
  local ips = {}
  for _, a in ipairs(getEndpoints("two").subsets[1].addresses) do ips[#ips + 1] = a.ip end
  assertEqual(ips, { getPod("both").ip })
  local names = {}
  for _, e in ipairs(endpoints("two")) do names[#names + 1] = e.pod end
  assertEqual(names, { "both" })
  local listed = {}
  for _, p in ipairs(pods({ selector = { app = "web", tier = "x" } })) do listed[#listed + 1] = p.name end
  assertEqual(listed, { "both" })
end)

-- get, describe and graph: kubectl's tables and descriptions as exact text, kubectl's age
-- format, kind aliases, and the Graphviz graph (DOT, and SVG through dot).

local function fixture()
  reset{ system = false }
  addNode("node-1", { zone = "zone-a" })
  addNode("node-2", { zone = "zone-b" })
  addPod("api-1", { node = "node-1", labels = { app = "api" }, ports = { { name = "http", containerPort = 8080 } } })
  addPod("api-2", { node = "node-2", labels = { app = "api" }, ports = { { name = "http", containerPort = 8080 } },
                    ready = false })
  advance(30)
  createService("api", { selector = { app = "api" }, ports = { { name = "http", port = 80, targetPort = "http" } },
                         clusterIP = "10.96.100.10" })
  createService("api-np", { type = "NodePort", selector = { app = "api" },
                            ports = { { port = 80, targetPort = 8080, nodePort = 30080 } }, clusterIP = "10.96.100.11" })
  createService("db", { type = "ExternalName", externalName = "db.example.com" })
  advance(600)
end

test("get svc -o wide prints kubectl's columns", function()
  fixture()
  assertEqual(get("svc", { wide = true }), [[
NAME     TYPE           CLUSTER-IP     EXTERNAL-IP      PORT(S)        AGE   SELECTOR
api      ClusterIP      10.96.100.10   <none>           80/TCP         10m   app=api
api-np   NodePort       10.96.100.11   <none>           80:30080/TCP   10m   app=api
db       ExternalName   <none>         db.example.com   <none>         10m   <none>
]])
end)

test("get pods -o wide shows readiness, IP and node", function()
  fixture()
  assertEqual(get("po", { wide = true }), [[
NAME    READY   STATUS    RESTARTS   AGE   IP           NODE     NOMINATED NODE   READINESS GATES
api-1   1/1     Running   0          10m   10.244.0.1   node-1   <none>           <none>
api-2   0/1     Running   0          10m   10.244.1.1   node-2   <none>           <none>
]])
end)

test("a terminating pod shows Terminating", function()
  fixture()
  deletePod("api-1")
  assert(get("pods"):find("api-1   1/1     Terminating   0          10m", 1, true), get("pods"))
end)

test("get endpointslices, nodes, ns with every alias kubectl accepts", function()
  fixture()
  local slices = get("endpointslices")
  assert(slices:match("^NAME%s+ADDRESSTYPE%s+PORTS%s+ENDPOINTS%s+AGE\n"), slices)
  assert(slices:match("\napi%-%w+%s+IPv4%s+8080%s+10%.244%.0%.1,10%.244%.1%.1%s+10m\n"), slices)
  assertEqual(get("no"), get("nodes"))
  assertEqual(get("node"), [[
NAME     STATUS   ROLES    AGE   VERSION
node-1   Ready    <none>   10m   v1.33.1
node-2   Ready    <none>   10m   v1.33.1
]])
  assertEqual(get("ns"), [[
NAME      STATUS   AGE
default   Active   10m
]])
  assertEqual(get("namespaces"), get("ns"))
  assertEqual(get("service"), get("svc"))
end)

test("get deployments and allNamespaces add kubectl's columns", function()
  reset{}
  createDeployment("web", { replicas = 3 })
  advance(7200 + 5 * 60)
  assertEqual(get("deploy"), [[
NAME   READY   UP-TO-DATE   AVAILABLE   AGE
web    3/3     3            3           125m
]])
  local all = get("svc", { allNamespaces = true })
  assertEqual(all, [[
NAMESPACE     NAME         TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)                  AGE
default       kubernetes   ClusterIP   10.96.0.1    <none>        443/TCP                  125m
kube-system   kube-dns     ClusterIP   10.96.0.10   <none>        53/UDP,53/TCP,9153/TCP   125m
]])
end)

test("an empty list says so as kubectl does", function()
  reset{ system = false }
  assertEqual(get("pods"), "No resources found in default namespace.\n")
  assertEqual(get("nodes"), "No resources found\n")
end)

test("a LoadBalancer without ingress is pending; externalIPs show", function()
  reset{ system = false }
  addNode("n1")
  createService("ext", { selector = { a = "b" }, ports = { { port = 80 } }, externalIPs = { "203.0.113.9" },
                         externalTrafficPolicy = "Cluster", clusterIP = "10.96.0.50" })
  local text = get("svc")
  assert(text:find("ext    ClusterIP   10.96.0.50   203.0.113.9   80/TCP", 1, true), text)
end)

-- kubectl's ages (apimachinery duration.HumanDuration).
local ages = {
  { 5, "5s" }, { 119, "119s" }, { 123, "2m3s" }, { 300, "5m" }, { 600, "10m" }, { 3 * 3600 + 5 * 60, "3h5m" },
  { 10 * 3600, "10h" }, { 2 * 86400 + 3 * 3600, "2d3h" }, { 10 * 86400, "10d" }, { 3 * 365 * 86400 + 86400, "3y1d" },
}
for _, case in ipairs(ages) do
  test("an age of " .. case[1] .. "s prints as " .. case[2], function()
    reset{ system = false }
    createService("s", { ports = { { port = 80 } }, clusterIP = "10.96.0.5" })
    advance(case[1])
    assert(get("svc"):match("\ns%s.-%s(%S+)\n$") == case[2], get("svc"))
  end)
end

test("describe svc follows kubectl's layout", function()
  fixture()
  assertEqual(describe("svc", "api-np"), [[
Name:                     api-np
Namespace:                default
Labels:                   <none>
Annotations:              <none>
Selector:                 app=api
Type:                     NodePort
IP Family Policy:         SingleStack
IP Families:              IPv4
IP:                       10.96.100.11
IPs:                      10.96.100.11
Port:                     <unset>  80/TCP
TargetPort:               8080/TCP
NodePort:                 <unset>  30080/TCP
Endpoints:                10.244.0.1:8080
Session Affinity:         None
External Traffic Policy:  Cluster
Internal Traffic Policy:  Cluster
Events:                   <none>
]])
end)

test("describe svc lists several labels and only ready endpoints", function()
  fixture()
  updateService("api", { labels = { tier = "backend", app = "api" } })
  assertEqual(describe("service", "default/api"), [[
Name:                     api
Namespace:                default
Labels:                   app=api
                          tier=backend
Annotations:              <none>
Selector:                 app=api
Type:                     ClusterIP
IP Family Policy:         SingleStack
IP Families:              IPv4
IP:                       10.96.100.10
IPs:                      10.96.100.10
Port:                     http  80/TCP
TargetPort:               http/TCP
Endpoints:                10.244.0.1:8080
Session Affinity:         None
Internal Traffic Policy:  Cluster
Events:                   <none>
]])
end)

test("describe an ExternalName Service (no traffic policies, no IPs)", function()
  fixture()
  assertEqual(describe("svc", "db"), [[
Name:              db
Namespace:         default
Labels:            <none>
Annotations:       <none>
Selector:          <none>
Type:              ExternalName
IP Families:       <none>
IP:                
IPs:               <none>
External Name:     db.example.com
Session Affinity:  None
Events:            <none>
]])
end)

test("describe pod, node, deployment, namespace and endpointslice", function()
  fixture()
  local p = describe("pod", "api-1")
  assert(p:find("Name:             api-1\nNamespace:        default\n", 1, true), p)
  assert(p:find("Node:             node-1/172.18.0.2\n", 1, true), p)
  assert(p:find("IPs:\n  IP:  10.244.0.1\nContainers:\n", 1, true), p)
  assert(describe("node", "node-2"):match("InternalIP:%s+172%.18%.0%.3\n"), describe("node", "node-2"))
  assert(describe("ns", "default"):find("Status:       Active", 1, true), describe("ns", "default"))
  local slice = endpointSlices("api")[1].name
  assert(describe("endpointslice", slice):find("AddressType:  IPv4", 1, true))
  createDeployment("web", { replicas = 2 })
  assert(describe("deploy", "web"):find("Replicas:               2 desired | 2 updated | 2 total | 2 available | 0 unavailable", 1, true))
end)

test("get and describe report unknown kinds and objects", function()
  fixture()
  assertError(function() get("configmaps") end, 'get: the server doesn\'t have a resource type "configmaps"')
  assertError(function() describe("svc", "nope") end, 'describe: services "nope" not found')
end)

test("graph draws nodes as clusters, ready wiring solid and not-ready dashed", function()
  fixture()
  local dot = graph()
  assert(dot:find('subgraph "cluster_node-1" {', 1, true), dot)
  assert(dot:find('"svc/default/api" -> "pod/default/api-1" [style=solid];', 1, true), dot)
  assert(dot:find('"svc/default/api" -> "pod/default/api-2" [style=dashed];', 1, true), dot)
  assertEqual(graph{ namespace = "other" }:find("api", 1, true), nil)
end)

test("graph{format='svg'} renders through dot and names every Service and pod", function()
  fixture()
  local svg = graph{ format = "svg" }
  assert(svg:find("<svg", 1, true), svg:sub(1, 200))
  -- dot writes "-" in text as the entity &#45;
  local function inSVG(text) return svg:find(text:gsub("%-", "&#45;"), 1, true) end
  for _, s in ipairs(services()) do assert(inSVG("svc " .. s.name), s.name) end
  for _, p in ipairs(pods()) do assert(inSVG(p.name), p.name) end
end)

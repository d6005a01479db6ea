-- apply and export: documentation-style manifests from Tests/fixtures/manifests become
-- objects, endpoints and DNS answers; bad input changes nothing; export round-trips.

local dir = "Tests/fixtures/manifests/"

local function names(list)
  local out = {}
  for _, o in ipairs(list) do out[#out + 1] = o.name end
  table.sort(out)
  return out
end

local function endpointIPs(svc, opts)
  local out = {}
  for _, e in ipairs(endpoints(svc, opts)) do out[#out + 1] = e.ip .. ":" .. tostring(e.port) end
  return out
end

test("a folder with a Deployment and its Service applies in file order", function()
  reset{}
  assertEqual(apply(dir .. "app"), { "deployment.apps/my-nginx created", "service/my-nginx created" })
  local d = getDeployment("my-nginx")
  assertEqual(d.replicas, 2)
  assertEqual(d.readyReplicas, 2)
  local svc = getService("my-nginx")
  assertEqual(svc.ports[1].port, 80)
  assertEqual(svc.ports[1].targetPort, 80)
  local eps = endpoints("my-nginx")
  assertEqual(#eps, 2)
  for _, e in ipairs(eps) do assertEqual(e.port, 80); assert(e.pod:match("^my%-nginx%-"), e.pod) end
  local a = resolve("my-nginx.default.svc.cluster.local.", "A")
  assertEqual(a.rcode, "NOERROR")
  assertEqual(a.addresses, { svc.clusterIP })
end)

test("applying the same manifests again reports unchanged and changes nothing", function()
  reset{}
  apply(dir .. "app")
  local before = getService("my-nginx")
  local podsBefore = names(pods())
  assertEqual(apply(dir .. "app"), { "deployment.apps/my-nginx unchanged", "service/my-nginx unchanged" })
  assertEqual(getService("my-nginx").clusterIP, before.clusterIP)
  assertEqual(names(pods()), podsBefore)
end)

test("a changed manifest is configured, keeping the allocated ClusterIP", function()
  reset{}
  apply(dir .. "app")
  local ip = getService("my-nginx").clusterIP
  local lines = apply([[
apiVersion: v1
kind: Service
metadata:
  name: my-nginx
spec:
  type: NodePort
  ports:
  - port: 80
    nodePort: 30111
  selector:
    run: my-nginx
]])
  assertEqual(lines, { "service/my-nginx configured" })
  local svc = getService("my-nginx")
  assertEqual(svc.type, "NodePort")
  assertEqual(svc.clusterIP, ip)
  assertEqual(svc.ports[1].nodePort, 30111)
end)

test("scaling a Deployment through apply is configured", function()
  reset{}
  apply(dir .. "app/deployment.yaml")
  local text = io.open(dir .. "app/deployment.yaml"):read("a"):gsub("replicas: 2", "replicas: 3")
  assertEqual(apply(text), { "deployment.apps/my-nginx configured" })
  assertEqual(getDeployment("my-nginx").replicas, 3)
  assertEqual(#pods{ selector = { run = "my-nginx" } }, 3)
end)

test("a headless Service with StatefulSet pods answers per-pod DNS names", function()
  reset{}
  assertEqual(apply(dir .. "headless.yaml"), { "service/nginx created", "statefulset.apps/web created" })
  assertEqual(getService("nginx").clusterIP, "None")
  local web0 = getPod("web-0")
  assertEqual(web0.hostname, "web-0")
  assertEqual(web0.subdomain, "nginx")
  assertEqual(#endpoints("nginx"), 2)
  local a = resolve("web-0.nginx.default.svc.cluster.local.", "A")
  assertEqual(a.rcode, "NOERROR")
  assertEqual(a.addresses, { web0.ip })
  local all = resolve("nginx.default.svc.cluster.local.", "A").addresses
  table.sort(all)
  local want = { web0.ip, getPod("web-1").ip }
  table.sort(want)
  assertEqual(all, want)
end)

test("an ExternalName Service answers with a CNAME", function()
  reset{}
  createNamespace("prod")
  assertEqual(apply(dir .. "externalname.yaml"), { "service/my-service created" })
  local svc = getService("prod/my-service")
  assertEqual(svc.type, "ExternalName")
  assertEqual(svc.clusterIP, nil)
  local a = resolve("my-service.prod.svc.cluster.local.", "CNAME")
  assertEqual(a.answer[1].type, "CNAME")
  assertEqual(a.answer[1].data, "my.database.example.com.")
end)

test("a NodePort Service keeps the nodePort it asks for", function()
  reset{}
  apply(dir .. "nodeport.yaml")
  local svc = getService("my-service")
  assertEqual(svc.ports[1].nodePort, 30007)
  assertEqual(svc.ports[1].targetPort, 80)
end)

test("a multi-document file creates a namespace, a pod, Services and a slice", function()
  reset{}
  assertEqual(apply(dir .. "multi.yaml"), {
    "namespace/shop created", "pod/cart created", "service/cart created",
    "service/legacy-db created", "endpointslice.discovery.k8s.io/legacy-db-1 created",
  })
  assertEqual(getNamespace("shop").labels.team, "payments")
  local cart = getPod("shop/cart")
  assertEqual(endpointIPs("shop/cart"), { cart.ip .. ":8080" })
  assertEqual(endpointIPs("shop/legacy-db"), { "10.1.2.3:5432", "10.4.5.6:5432" })
  assertEqual(resolve("cart.shop.svc.cluster.local.", "A").addresses, { getService("shop/cart").clusterIP })
end)

test("objects without a namespace go to the current namespace", function()
  reset{}
  createNamespace("dev")
  useNamespace("dev")
  apply(dir .. "nodeport.yaml")
  assert(getService("dev/my-service"), "service in dev")
  assertEqual(getService("default/my-service"), nil)
end)

-- Bad input: each case fails with the message and leaves the cluster as it was.
local bad = {
  { "malformed YAML names the line", "a: b\n c: d\n", "yaml: line 2: mapping values are not allowed" },
  { "a document that is not a mapping", "- a\n- b\n", "document 1: a manifest document must be a mapping" },
  { "an unknown kind lists the supported ones",
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
    'no matches for kind "ConfigMap" in version "v1" %(supported: v1/Namespace' },
  { "a kind under the wrong apiVersion",
    "apiVersion: v1\nkind: Deployment\nmetadata: {name: x}\n", 'no matches for kind "Deployment" in version "v1"' },
  { "a field of the wrong type",
    "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec:\n  ports:\n  - port: http\n",
    "cannot unmarshal string into Go struct field spec.ports%[0%].port of type int32" },
  { "an invalid object gives the API server's error with its document",
    "apiVersion: v1\nkind: Namespace\nmetadata: {name: ok}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec:\n  ports:\n  - port: 70000\n",
    'document 2: error when applying service/x: Service "x" is invalid: %[?spec.ports%[0%].port: Invalid value: 70000' },
  { "a duplicate object",
    "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n",
    "document 2: namespace/a appears twice in one apply %(first in document 1%)" },
  { "a missing file", "no/such/file.yaml", 'the path "no/such/file.yaml" does not exist' },
  { "a missing name", "apiVersion: v1\nkind: Pod\nmetadata: {}\n", "metadata.name not set" },
}
for _, case in ipairs(bad) do
  test("apply refuses " .. case[1] .. " and changes nothing", function()
    reset{}
    local before = export{ nodes = true }
    local count = cluster().counts
    assertError(function() apply(case[2]) end, "apply: .*" .. case[3])
    assertEqual(export{ nodes = true }, before)
    assertEqual(cluster().counts, count)
  end)
end

test("a failure after earlier objects applied rolls them back, DNS included", function()
  reset{}
  local yaml = io.open(dir .. "multi.yaml"):read("a")
    .. "\n---\napiVersion: v1\nkind: Service\nmetadata: {name: broken, namespace: shop}\nspec: {type: Bogus}\n"
  assertError(function() apply(yaml) end, 'document 6: error when applying service/broken: Service "broken" is invalid')
  assertEqual(getNamespace("shop"), nil)
  assertEqual(resolve("cart.shop.svc.cluster.local.", "A").rcode, "NXDOMAIN")

end)

test("apply refuses text larger than 4 MiB", function()
  reset{}
  local big = "apiVersion: v1\nkind: Namespace\nmetadata: {name: big}\n#" .. string.rep("x", 4 * 1024 * 1024)
  assertError(function() apply(big) end, "too large")
  assertEqual(getNamespace("big"), nil)
end)

test("fields the lab does not model are kept in the last-applied document and exported", function()
  reset{}
  apply(dir .. "app/deployment.yaml")
  local text = export()
  assert(text:find("image: nginx", 1, true), text)
  assert(text:find("name: my-nginx", 1, true), text)
end)

test("export then apply on a fresh lab reproduces Services, pods and endpoints", function()
  reset{}
  createNamespace("shop")
  addPod("db", { namespace = "shop", labels = { app = "db" }, ports = { { name = "pg", containerPort = 5432 } } })
  addPod("cache", { node = "node-2", labels = { app = "cache" }, ready = false })
  createService("db", { namespace = "shop", selector = { app = "db" }, ports = { { port = 5432, targetPort = "pg" } } })
  createService("cache", { type = "NodePort", selector = { app = "cache" }, ports = { { port = 6379 } },
                           publishNotReadyAddresses = true })
  createService("ext", { type = "ExternalName", externalName = "example.org" })
  createService("lb", { type = "LoadBalancer", selector = { app = "web" }, ports = { { port = 443 } },
                        externalTrafficPolicy = "Local", sessionAffinity = "ClientIP" })
  createDeployment("web", { replicas = 2 })
  local function snapshot()
    local s = {}
    for _, svc in ipairs(services{ namespace = nil }) do
      local e = {}
      for _, ep in ipairs(endpoints(svc)) do
        e[#e + 1] = { port = ep.port, ready = ep.ready, pod = ep.pod and not ep.pod:match("^web%-") and ep.pod or "web" }
      end
      svc.created = nil
      svc.loadBalancerIngress = nil
      s[svc.namespace .. "/" .. svc.name] = { svc = svc, endpoints = e }
    end
    local p = {}
    for _, pod in ipairs(pods()) do
      if not pod.deployment then pod.created = nil; p[pod.namespace .. "/" .. pod.name] = pod end
    end
    return { services = s, pods = p, deployment = getDeployment("web").replicas }
  end
  local want = snapshot()
  local text = export()
  reset{}
  apply(text)
  local got = snapshot()
  assertEqual(got.services, want.services)
  assertEqual(got.pods, want.pods)
  assertEqual(got.deployment, 2)
  assertEqual(export(), text)
end)

--- Endpoints: how a Service finds its pods
--
-- A Service is a stable name and address in front of a changing set of pods. It
-- never lists those pods itself: it carries a label selector, and a controller in
-- the control plane (the EndpointSlice controller) keeps a list of the matching
-- pods' addresses in EndpointSlice objects. Everything else (CoreDNS, kube-proxy
-- on every node) reads those slices.
--
-- This tutorial builds a Deployment of three pods and a Service in front of them,
-- then watches the endpoints change as a pod stops being ready and as the
-- Deployment grows.

--- step: A Deployment of three pods
-- We start from a fresh cluster of three nodes and create a Deployment called
-- `web`. Its pod template carries the label `app=web` and declares a container
-- port named `http` on 8080. The Deployment controller creates three pods, and the
-- scheduler spreads them over the nodes.
test("A Deployment of three pods", function()
  reset{}
  seed(1)
  createDeployment("web", {
    replicas = 3,
    labels = { app = "web" },
    ports = { { name = "http", containerPort = 8080 } },
  })
  local web = pods{ selector = { app = "web" } }
  --- check
  assertEqual(#web, 3)
  local list = {}
  for _, pod in ipairs(web) do
    assertEqual(pod.ready, true)
    list[#list + 1] = pod.name .. "  " .. pod.ip .. "  on " .. pod.node
  end
  return table.concat(list, "\n")
end)
-- Each pod got its own IP from the pod range of the node it runs on. Those IPs
-- are only good as long as the pods live: a new pod gets a new IP.

--- step: A Service selects pods by label
-- Now the Service. Its selector `app=web` matches the three pods. Its port 80
-- forwards to `targetPort = "http"`: a port *name*, looked up in each pod's
-- container ports, so every pod could even use a different number.
test("A Service selects pods by label", function()
  local svc = createService("web", {
    selector = { app = "web" },
    ports = { { name = "http", port = 80, targetPort = "http" } },
  })
  local eps = endpoints("web")
  --- check
  assertEqual(#eps, 3)
  for _, ep in ipairs(eps) do
    local pod = getPod(ep.pod)
    assertEqual(ep.ip, pod.ip)
    assertEqual(ep.port, 8080)
    assertEqual(ep.portName, "http")
    assertEqual(ep.ready, true)
    assertEqual(ep.node, pod.node)
  end
  local lines = { "ClusterIP " .. svc.clusterIP }
  for _, ep in ipairs(eps) do
    lines[#lines + 1] = ep.ip .. ":" .. ep.port .. "  " .. ep.pod
      .. "  ready=" .. tostring(ep.ready)
  end
  return table.concat(lines, "\n")
end)
-- The Service got a virtual IP, its ClusterIP, and its endpoints are the three
-- pods' IPs with port 8080: the name `http` was resolved to the number.

--- step: The EndpointSlice behind the view
-- `endpoints()` is a flattened view. The real object is an EndpointSlice, owned
-- by the Service through the label `kubernetes.io/service-name` and written by the
-- controller (`managed-by`). One slice holds up to 100 endpoints.
test("The EndpointSlice behind the view", function()
  local slice = endpointSlices("web")[1]
  --- check
  assertEqual(#endpointSlices("web"), 1)
  assertEqual(slice.labels["kubernetes.io/service-name"], "web")
  assertEqual(slice.labels["endpointslice.kubernetes.io/managed-by"],
    "endpointslice-controller.k8s.io")
  assertEqual(slice.addressType, "IPv4")
  assertEqual(slice.ports, { { name = "http", port = 8080, protocol = "TCP" } })
  assertEqual(#slice.endpoints, 3)
  return slice
end)

--- step: Readiness takes a pod out
-- A pod that fails its readiness probe stays running but should get no new
-- traffic. The controller keeps it in the slice with `ready = false` (and
-- `serving = false`); consumers such as kube-proxy skip it.
test("Readiness takes a pod out", function()
  local victim = pods{ selector = { app = "web" } }[1].name
  setPodReady(victim, false)
  --- check
  local ready = 0
  for _, ep in ipairs(endpoints("web")) do
    if ep.pod == victim then
      assertEqual(ep.ready, false)
      assertEqual(ep.serving, false)
    else
      assertEqual(ep.ready, true)
      ready = ready + 1
    end
  end
  assertEqual(ready, 2)
  --- end
  -- Connections from a client pod now reach only the two ready pods.
  addPod("client", { labels = { app = "client" } })
  local counts = distribution("client", "web:80", 200)
  --- check
  assertEqual(counts[victim], nil)
  local total = 0
  for name, n in pairs(counts) do
    assertEqual(getPod(name).ready, true)
    total = total + n
  end
  assertEqual(total, 200)
  return counts
end)
-- When the probe passes again, `setPodReady(name, true)` brings it back.

--- step: Scaling adds endpoints
-- Scaling the Deployment to five creates two more pods with the same labels. The
-- Service does not change at all: the selector picks them up, and the
-- controller adds them to the slice.
test("Scaling adds endpoints", function()
  local before = getService("web")
  scale("web", 5)
  local eps = endpoints("web")
  --- check
  assertEqual(getService("web").clusterIP, before.clusterIP)
  assertEqual(#eps, 5)
  local ready = 0
  for _, ep in ipairs(eps) do
    if ep.ready then ready = ready + 1 end
  end
  assertEqual(ready, 4)
  return #eps .. " endpoints, " .. ready .. " ready"
end)
-- The ClusterIP stayed the same through all of this. That is the point of a
-- Service: clients keep one address while the pods behind it come and go.

--- step: Endpoints, the object slices replaced
-- Many guides still type `kubectl get endpoints web`. Before EndpointSlices, a
-- Service's addresses lived in one v1 Endpoints object named as the Service,
-- written by the endpoints controller. It is still there, next to the slices:
-- its `subsets` group the addresses by the ports they offer, ready pods under
-- `addresses`, the unready one under `notReadyAddresses`. Since Kubernetes 1.33
-- the API server answers every read of it with a deprecation warning, and
-- kubectl prints that warning before the table.
--
-- Why slices replaced it: one Endpoints object holds every address of the
-- Service, so each pod change rewrites the whole object and sends it to every
-- node's kube-proxy; and it stops at 1000 addresses (the controller drops the
-- rest and marks the object `endpoints.kubernetes.io/over-capacity: truncated`).
-- A slice holds at most 100 endpoints, a change rewrites only the slice that
-- holds the pod, and a Service can have as many slices as it needs. Dual-stack
-- addresses and topology hints exist only in slices.
test("Endpoints, the object slices replaced", function()
  local text = get("endpoints")
  --- check
  assertEqual(text:match("^[^\n]*"),
    "Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice")
  local ep = getEndpoints("web")
  assertEqual(#ep.subsets, 1)
  assertEqual(#ep.subsets[1].addresses, 4)
  assertEqual(#ep.subsets[1].notReadyAddresses, 1)
  assertEqual(ep.subsets[1].ports, { { name = "http", port = 8080, protocol = "TCP" } })
  assertEqual(ep.annotations["endpoints.kubernetes.io/over-capacity"], nil)
  --- end
  return text .. "\n" .. get("endpointslices")
end)
-- Both lists show the same pods. `kubectl get endpoints` shows at most three
-- addresses and `+ N more...`, and only ready ones; the slices show every
-- endpoint. Scripts should read EndpointSlices (label
-- `kubernetes.io/service-name=web`).

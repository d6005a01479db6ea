--- Namespaces and lifecycle: a Service is not a workload
--
-- Service names are unique only within a namespace, and a Service lives
-- independently of the pods it selects. This tutorial puts two Services called
-- `web` in two namespaces, then deletes the Deployment behind one of them and
-- watches what is left.

--- step: The same name in two namespaces
-- `default/web` and `staging/web` are different Services with different
-- ClusterIPs and different pods.
test("The same name in two namespaces", function()
  reset{}
  seed(8)
  createNamespace("staging")
  for _, ns in ipairs({ "default", "staging" }) do
    createDeployment("web", { namespace = ns, replicas = 2, labels = { app = "web" },
      ports = { { name = "http", containerPort = 8080 } } })
    createService("web", { namespace = ns, selector = { app = "web" },
      ports = { { name = "http", port = 80, targetPort = "http" } } })
  end
  local prod, staging = getService("default/web"), getService("staging/web")
  --- check
  assert(prod.clusterIP ~= staging.clusterIP)
  for _, ep in ipairs(endpoints("staging/web")) do
    assertEqual(getPod("staging/" .. ep.pod).namespace, "staging")
  end
  return "default/web " .. prod.clusterIP .. "\nstaging/web " .. staging.clusterIP
end)

--- step: The short name means your own namespace
-- A pod's search path starts with its own namespace, so `web` from a pod in
-- `default` is `default/web`; reaching the other one takes `web.staging`.
test("The short name means your own namespace", function()
  addPod("client", { labels = { app = "client" } })
  local here = resolve("web", { from = "client", type = "A" })
  local there = resolve("web.staging", { from = "client", type = "A" })
  --- check
  assertEqual(here.addresses, { getService("default/web").clusterIP })
  assertEqual(there.addresses, { getService("staging/web").clusterIP })
  assertEqual(connect("client", "web:80").namespace, "default")
  assertEqual(connect("client", "web.staging:80").namespace, "staging")
  return "web         -> " .. here.addresses[1] .. "\nweb.staging -> " .. there.addresses[1]
end)

--- step: Deleting the Deployment leaves the Service
-- Deleting `default/web`'s Deployment deletes its pods, never the Service. The
-- pods first terminate gracefully (30 seconds by default): their endpoints stay
-- in the slice as `terminating` and not `ready`, but still `serving` while the
-- containers run. With no ready endpoint left anywhere, kube-proxy falls back to
-- serving terminating ones, so connections still get through for now.
test("Deleting the Deployment leaves the Service", function()
  deleteDeployment("web")
  local eps = endpoints("web")
  local r = connect("client", "web:80")
  --- check
  assert(getService("web"), "the Service is still there")
  assertEqual(#eps, 2)
  local lines = {}
  for _, ep in ipairs(eps) do
    assertEqual(ep.ready, false)
    assertEqual(ep.serving, true)
    assertEqual(ep.terminating, true)
    lines[#lines + 1] = string.format("%s %s ready=%s serving=%s terminating=%s", ep.ip, ep.pod,
      tostring(ep.ready), tostring(ep.serving), tostring(ep.terminating))
  end
  assertEqual(getPod(r.pod).terminating, true)
  lines[#lines + 1] = "a connection still reaches " .. r.pod
  return table.concat(lines, "\n")
end)

--- step: A Service with no endpoints
-- Once the grace period is over the pods are gone. The Service still has its
-- ClusterIP and its DNS name, but no endpoints: a connection is refused (the
-- node's rules REJECT it), not silently dropped.
test("A Service with no endpoints", function()
  advance(31)
  local ok, reason = connect("client", "web:80")
  --- check
  assertEqual(endpoints("web"), {})
  assertEqual(resolve("web.default.svc.cluster.local").addresses, { getService("web").clusterIP })
  assertEqual(ok, nil)
  assertEqual(reason:match("^%a+"), "refused")
  assertEqual(#endpoints("staging/web"), 2, "the other namespace is untouched")
  return reason
end)

--- step: A new Deployment that matches
-- Any pods with the label `app=web` in `default` fill the Service again, whatever
-- created them: here a new Deployment with another name.
test("A new Deployment that matches", function()
  createDeployment("web-v2", { replicas = 2, labels = { app = "web", version = "v2" },
    ports = { { name = "http", containerPort = 8080 } } })
  local r = connect("client", "web:80")
  --- check
  local eps = endpoints("web")
  assertEqual(#eps, 2)
  for _, ep in ipairs(eps) do
    assertEqual(getPod(ep.pod).deployment, "web-v2")
    assertEqual(ep.ready, true)
  end
  assertEqual(getPod(r.pod).deployment, "web-v2")
  return r.pod .. " answers on " .. getService("web").clusterIP
end)

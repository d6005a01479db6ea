--- CoreDNS and service discovery: names instead of addresses
--
-- Pods come and go and change IPs, so clients should not hold on to IPs. Every
-- cluster runs CoreDNS, which turns Service names into addresses: a Service
-- `web` in namespace `default` is `web.default.svc.cluster.local`. This
-- tutorial asks CoreDNS questions and looks at how a pod's resolver walks its
-- search path to turn the short name `web` into that full name.

--- step: A ClusterIP Service answers with its ClusterIP
-- We create a Deployment `web` and a Service in front of it, then ask CoreDNS
-- for the fully qualified name (FQDN). The answer is one A record: the
-- Service's ClusterIP, never the pod IPs. Which pod gets the connection is
-- decided later, by kube-proxy on the client's node.
test("A ClusterIP Service answers with its ClusterIP", function()
  reset{}
  seed(2)
  createDeployment("web", {
    replicas = 3, labels = { app = "web" },
    ports = { { name = "http", containerPort = 8080 } },
  })
  local svc = createService("web", {
    selector = { app = "web" },
    ports = { { name = "http", port = 80, targetPort = "http" } },
  })
  local r = resolve("web.default.svc.cluster.local")
  --- check
  assertEqual(r.rcode, "NOERROR")
  assertEqual(#r.answer, 1)
  assertEqual(r.answer[1].type, "A")
  assertEqual(r.answer[1].name, "web.default.svc.cluster.local.")
  assertEqual(r.addresses, { svc.clusterIP })
  return dig("web.default.svc.cluster.local")
end)

--- step: Names outlive pods
-- Delete every pod of the Deployment. The Deployment replaces them with new
-- pods and new IPs; the Service's name still gives the same answer, so a client
-- that uses the name never notices.
test("Names outlive pods", function()
  --- check
  local before = {}
  for _, ep in ipairs(endpoints("web")) do before[ep.ip] = true end
  --- end
  for _, pod in ipairs(pods{ namespace = "default", selector = { app = "web" } }) do
    deletePod(pod.name, { grace = 0 })
  end
  local r = resolve("web.default.svc.cluster.local")
  --- check
  local eps = endpoints("web")
  assertEqual(#eps, 3)
  for _, ep in ipairs(eps) do
    assertEqual(before[ep.ip], nil, "a replacement pod has a new IP")
  end
  assertEqual(r.addresses, { getService("web").clusterIP })
  return r.addresses[1]
end)

--- step: SRV records for named ports
-- A named port also gets an SRV record, `_<port name>._<protocol>.<service>`,
-- which tells a client the port number as well as the host. The answer names
-- the Service's FQDN; its A record comes along in the additional section.
test("SRV records for named ports", function()
  local r = resolve("_http._tcp.web.default.svc.cluster.local", "SRV")
  --- check
  assertEqual(r.rcode, "NOERROR")
  assertEqual(#r.answer, 1)
  assertEqual(r.answer[1].type, "SRV")
  -- priority 0, weight 100, port 80, target: the Service's name
  assertEqual(r.answer[1].data, "0 100 80 web.default.svc.cluster.local.")
  assertEqual(r.additional[1].data, getService("web").clusterIP)
  return r.answer[1].name .. "  SRV  " .. r.answer[1].data
end)

--- step: A pod's resolv.conf
-- Pods do not usually type FQDNs. The kubelet writes a resolv.conf into every
-- pod: CoreDNS's Service IP as the nameserver, a search list starting with the
-- pod's own namespace, and `ndots:5`: a name with fewer than five dots is tried
-- with each search domain first.
test("A pod's resolv.conf", function()
  addPod("client", { labels = { app = "client" } })
  local conf = resolvConf("client")
  --- check
  local dns = getService("kube-system/kube-dns")
  assert(conf:find("nameserver " .. dns.clusterIP, 1, true), conf)
  local search = "search default.svc.cluster.local svc.cluster.local cluster.local"
  assert(conf:find(search, 1, true), conf)
  assert(conf:find("options ndots:5", 1, true), conf)
  return conf
end)

--- step: The search path: web, web.default, and the FQDN
-- Now the same Service, three ways, from the pod. `web` succeeds at the first
-- search domain: one query. `web.default` first becomes
-- `web.default.default.svc.cluster.local` (NXDOMAIN) and only then
-- `web.default.svc.cluster.local`: two queries. Even the FQDN has only four
-- dots, fewer than five, so without a trailing dot it too goes through all three
-- search domains first: four queries. A trailing dot makes the name absolute:
-- exactly one query, no search. (We ask for A records only; a real
-- getaddrinfo also asks for AAAA at each step, doubling the count.)
test("The search path: web, web.default, and the FQDN", function()
  local r = resolve("web.default", { from = "client", type = "A" })
  -- r.queries: every query the pod's resolver sent, in order; below, for each name
  --- check
  local ip = getService("web").clusterIP
  local lines = {}
  for _, name in ipairs({ "web", "web.default", "web.default.svc.cluster.local",
    "web.default.svc.cluster.local." }) do
    local r = resolve(name, { from = "client", type = "A" })
    assertEqual(r.addresses, { ip })
    local tried = {}
    for _, q in ipairs(r.queries) do tried[#tried + 1] = q.name .. " " .. q.rcode end
    lines[#lines + 1] = string.format("%-31s %d quer%s\n    %s", name, #r.queries,
      #r.queries == 1 and "y" or "ies", table.concat(tried, "\n    "))
  end
  assertEqual(#resolve("web", { from = "client", type = "A" }).queries, 1)
  local walk = resolve("web.default", { from = "client", type = "A" }).queries
  assertEqual(walk[1],
    { name = "web.default.default.svc.cluster.local.", type = "A", rcode = "NXDOMAIN" })
  assertEqual(walk[2], { name = "web.default.svc.cluster.local.", type = "A", rcode = "NOERROR" })
  assertEqual(#walk, 2)
  local fqdn = resolve("web.default.svc.cluster.local", { from = "client", type = "A" }).queries
  assertEqual(#fqdn, 4)
  assertEqual(fqdn[1].name, "web.default.svc.cluster.local.default.svc.cluster.local.")
  assertEqual(fqdn[4], { name = "web.default.svc.cluster.local.", type = "A", rcode = "NOERROR" })
  local absolute = resolve("web.default.svc.cluster.local.", { from = "client", type = "A" })
  assertEqual(#absolute.queries, 1)
  return table.concat(lines, "\n")
end)
-- The cost matters for names outside the cluster: `example.com` has one dot, so
-- the resolver tries all three search domains (three NXDOMAINs) before asking for
-- `example.com.` itself. Writing `example.com.` saves those queries.

--- step: A name that does not exist
-- A Service that does not exist gives NXDOMAIN for every step of the walk; the
-- last query's answer is what the application sees.
test("A name that does not exist", function()
  local r = resolve("nope", { from = "client", type = "A" })
  --- check
  assertEqual(r.rcode, "NXDOMAIN")
  assertEqual(r.answer, {})
  for _, q in ipairs(r.queries) do assertEqual(q.rcode, "NXDOMAIN") end
  assertEqual(r.queries[1].name, "nope.default.svc.cluster.local.")
  assertEqual(r.queries[#r.queries].name, "nope.")
  return #r.queries .. " queries, all NXDOMAIN"
end)

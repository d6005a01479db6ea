--- Headless Services: DNS that names the pods themselves
--
-- A Service with `clusterIP = "None"` is headless: it gets no virtual IP and
-- kube-proxy ignores it. CoreDNS answers its name with the ready pods' own IPs,
-- and pods that set `hostname` and `subdomain` get a name of their own. The
-- client then talks to a pod directly, which is what databases and other
-- stateful members that must be told apart need.
--
-- The picture: pod1 and pod2 sit behind a headless Service `db`; pod4 and pod5
-- sit behind an ordinary ClusterIP Service `api`.

--- step: Two pairs of pods and two Services
-- pod1 and pod2 set `subdomain = "db"`, the name of the headless Service, and a
-- `hostname` each. pod4 and pod5 are plain pods behind `api`.
test("Two pairs of pods and two Services", function()
  reset{}
  seed(3)
  for _, name in ipairs({ "pod1", "pod2" }) do
    addPod(name, { labels = { app = "db" }, hostname = name, subdomain = "db",
      ports = { { name = "pg", containerPort = 5432 } } })
  end
  for _, name in ipairs({ "pod4", "pod5" }) do
    addPod(name, { labels = { app = "api" }, ports = { { name = "http", containerPort = 8080 } } })
  end
  local db = createService("db", { clusterIP = "None", selector = { app = "db" },
    ports = { { name = "pg", port = 5432 } } })
  local api = createService("api", { selector = { app = "api" },
    ports = { { name = "http", port = 80, targetPort = "http" } } })
  --- check
  assertEqual(db.clusterIP, "None")
  assertEqual(#endpoints("db"), 2)
  assert(api.clusterIP ~= "None")
  return "db: clusterIP " .. db.clusterIP .. "\napi: clusterIP " .. api.clusterIP
end)

--- step: The headless answer is the pod IPs
-- Asking for `db` gives one A record per ready pod. Asking for `api` gives only
-- the ClusterIP, whatever the number of pods.
test("The headless answer is the pod IPs", function()
  local r = resolve("db.default.svc.cluster.local")
  local api = resolve("api.default.svc.cluster.local")
  --- check
  local want = { getPod("pod1").ip, getPod("pod2").ip }
  table.sort(want)
  local got = {}
  for _, a in ipairs(r.addresses) do got[#got + 1] = a end
  table.sort(got)
  assertEqual(got, want)
  assertEqual(api.addresses, { getService("api").clusterIP })
  return "db  -> " .. table.concat(got, ", ") .. "\napi -> " .. api.addresses[1]
end)

--- step: Names for single pods: hostname.subdomain
-- Because pod1's subdomain matches a headless Service in its namespace, CoreDNS
-- also answers `pod1.db.default.svc.cluster.local`, and from a pod in the same
-- namespace the short `pod1.db` works through the search path. The kubelet puts
-- the same name into the pod's own /etc/hosts.
test("Names for single pods: hostname.subdomain", function()
  addPod("client", { labels = { app = "client" } })
  local r = resolve("pod1.db", { from = "client", type = "A" })
  local hosts = hostsFile("pod1")
  --- check
  assertEqual(r.addresses, { getPod("pod1").ip })
  assertEqual(r.queries[#r.queries].name, "pod1.db.default.svc.cluster.local.")
  local entry = getPod("pod1").ip .. "\tpod1.db.default.svc.cluster.local\tpod1"
  assert(hosts:find(entry, 1, true), hosts)
  return hosts
end)

--- step: Talking to one pod directly
-- A connection to `pod1.db` goes straight to pod1's IP: kube-proxy has no rule
-- for it, so no DNAT happens. The trace shows only routing.
test("Talking to one pod directly", function()
  local r = connect("client", "pod1.db:5432")
  local t = trace("client", "pod1.db:5432")
  --- check
  assertEqual(r.pod, "pod1")
  assertEqual(r.podIP, getPod("pod1").ip)
  assertEqual(r.service, nil)
  assert(not tostring(t):find("DNAT", 1, true), tostring(t))
  return t
end)

--- step: Through a ClusterIP, kube-proxy chooses
-- A connection to `api` goes to the ClusterIP; the client's node rewrites it
-- (DNAT) to pod4 or pod5, chosen at random for each connection. The client
-- cannot pick.
test("Through a ClusterIP, kube-proxy chooses", function()
  local counts = distribution("client", "api:80", 100)
  local t = trace("client", "api:80")
  --- check
  assertEqual((counts.pod4 or 0) + (counts.pod5 or 0), 100)
  assert((counts.pod4 or 0) > 0 and (counts.pod5 or 0) > 0, "both pods are used")
  assert(tostring(t):find("DNAT", 1, true), tostring(t))
  return counts
end)

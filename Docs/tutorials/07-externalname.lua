--- ExternalName: a Service that is only a DNS alias
--
-- An ExternalName Service has no selector, no ClusterIP, no endpoints and no
-- kube-proxy rules. It exists only in DNS: CoreDNS answers its name with a
-- CNAME to a name outside the cluster. Pods can use a cluster name for an
-- outside dependency, and moving that dependency is one change to the Service.

--- step: A database outside the cluster
-- The world outside has a name `db.example.com` with an A record. From inside,
-- CoreDNS forwards such names to the upstream resolver.
test("A database outside the cluster", function()
  reset{}
  seed(7)
  addExternalRecord("db.example.com", "A", "192.0.2.10")
  local r = resolve("db.example.com")
  --- check
  assertEqual(r.rcode, "NOERROR")
  assertEqual(r.addresses, { "192.0.2.10" })
  assertEqual(r.flags.aa, false)
  return r.answer
end)

--- step: The Service is a CNAME
-- `createService` with `type = "ExternalName"` allocates no ClusterIP. Asking for
-- its name returns a CNAME to `db.example.com.`; CoreDNS follows it and adds the
-- target's A record to the same answer.
test("The Service is a CNAME", function()
  local svc = createService("db", { type = "ExternalName", externalName = "db.example.com" })
  local r = resolve("db.default.svc.cluster.local")
  --- check
  assertEqual(svc.clusterIP, nil)
  assertEqual(endpoints("db"), {})
  assertEqual(r.rcode, "NOERROR")
  assertEqual(r.answer[1].type, "CNAME")
  assertEqual(r.answer[1].name, "db.default.svc.cluster.local.")
  assertEqual(r.answer[1].data, "db.example.com.")
  assertEqual(r.addresses, { "192.0.2.10" })
  return dig("db.default.svc.cluster.local")
end)

--- step: Pods use the short name
-- From a pod, `db` resolves through the search path to the CNAME and on to the
-- outside address. A connection then goes straight to 192.0.2.10: no
-- kube-proxy rule is involved, and here nothing answers at that address in the
-- simulation, so the connection is `unreachable`.
test("Pods use the short name", function()
  addPod("app", { labels = { app = "app" } })
  local r = resolve("db", { from = "app", type = "A" })
  local ok, reason = connect("app", "db:5432")
  --- check
  assertEqual(r.addresses, { "192.0.2.10" })
  assertEqual(ok, nil)
  assertEqual(reason:match("^%a+"), "unreachable")
  assert(reason:find("192.0.2.10:5432", 1, true), reason)
  return r.answer, reason
end)

--- step: Moving the database is one change
-- When the database moves, update `externalName`. Every pod follows at its next
-- lookup; no client configuration changes.
test("Moving the database is one change", function()
  addExternalRecord("db.new-provider.example", "A", "198.51.100.20")
  updateService("db", { externalName = "db.new-provider.example" })
  local r = resolve("db", { from = "app", type = "A" })
  --- check
  assertEqual(r.answer[1].data, "db.new-provider.example.")
  assertEqual(r.addresses, { "198.51.100.20" })
  return r.answer
end)

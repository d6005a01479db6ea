-- Repeated queries: CoreDNS's answer to a question is computed once and served again from its
-- memo until something it depends on changes. Every repeat must equal the first answer, be a
-- table of its own, and follow any change at once.

local FQDN = "kubernetes.default.svc.cluster.local"

-- Services of every kind the answers below need.
local function lab()
  reset { serviceCIDR = { "10.96.0.0/16", "fd00:10:96::/112" } }
  seed(2)
  createService("web", { selector = { app = "web" }, ports = { { name = "http", port = 80 } } })
  createService("dual", { ipFamilyPolicy = "RequireDualStack", ports = { { name = "http", port = 80 } } })
  createService("db", { clusterIP = "None", selector = { app = "db" }, ports = { { name = "pg", port = 5432 } } })
  addPod("db-0", { labels = { app = "db" }, hostname = "db-0", subdomain = "db", node = "node-1" })
  addExternalRecord("www.example.com", "A", "93.184.216.34")
  createService("ext", { type = "ExternalName", externalName = "www.example.com" })
end

-- Questions whose answers have every section, rcode and shape.
local questions = {
  { FQDN, "A" }, { FQDN .. ".", "A" }, { "KUBERNETES.default.svc.cluster.local", "A" },
  { FQDN, "AAAA" }, { "web.default.svc.cluster.local", "SRV" },
  { "_http._tcp.web.default.svc.cluster.local", "SRV" }, { "dual.default.svc.cluster.local", "AAAA" },
  { "db.default.svc.cluster.local", "A" }, { "db-0.db.default.svc.cluster.local", "A" },
  { "ext.default.svc.cluster.local", "A" }, { "nothing.default.svc.cluster.local", "A" },
  { "1.0.96.10.in-addr.arpa", "PTR" }, { "cluster.local", "SOA" }, { "cluster.local", "NS" },
  { "dns-version.cluster.local", "TXT" }, { "www.example.com", "A" }, { "nowhere.example", "A" },
}

test("a repeated query gives the first answer, every section and field alike", function()
  lab()
  for _, q in ipairs(questions) do
    local first = resolve(q[1], q[2])
    for _ = 1, 3 do
      assertEqual(resolve(q[1], q[2]), first, q[1] .. " " .. q[2])
    end
  end
end)

test("a repeated answer is a table of its own", function()
  lab()
  local a = resolve(FQDN)
  local b = resolve(FQDN)
  assert(a ~= b and a.answer ~= b.answer and a.answer[1] ~= b.answer[1], "shared tables")
  b.answer[1].data = "changed"
  b.addresses[1] = "changed"
  b.flags.aa = false
  local c = resolve(FQDN)
  assertEqual(c, a)
end)

test("a repeated query follows a change at once", function()
  lab()
  local name = "web.default.svc.cluster.local"
  local before = resolve(name)
  assertEqual(before.rcode, "NOERROR")
  assertEqual(resolve(name), before)
  deleteService("web")
  assertEqual(resolve(name).rcode, "NXDOMAIN")
  assertEqual(resolve(name).rcode, "NXDOMAIN")
  local again = createService("web", { selector = { app = "web" }, ports = { { name = "http", port = 80 } } })
  assertEqual(resolve(name).addresses, { again.clusterIP })
  dnsConfig { ttl = 5 }
  assertEqual(resolve(name).answer[1].ttl, 5)
  assertEqual(resolve(name).answer[1].ttl, 5)
end)

test("an answer loadbalance shuffles is still shuffled on every repeat", function()
  lab()
  addPod("db-1", { labels = { app = "db" }, hostname = "db-1", subdomain = "db", node = "node-2" })
  addPod("db-2", { labels = { app = "db" }, hostname = "db-2", subdomain = "db", node = "node-3" })
  local orders = {}
  for _ = 1, 40 do
    local a = resolve("db.default.svc.cluster.local.", "A")
    assertEqual(#a.answer, 3)
    orders[a.addresses[1] .. "," .. a.addresses[2] .. "," .. a.addresses[3]] = true
  end
  local n = 0
  for _ in pairs(orders) do n = n + 1 end
  assert(n > 1, "the order never changed")
end)

-- Cluster DNS as pods see it: CoreDNS's answers (A, AAAA, SRV, PTR, CNAME, pod records, every
-- NXDOMAIN/NODATA rule, TTLs, options), the glibc and musl search walks, the resolv.conf and
-- /etc/hosts the kubelet writes, dig's output, and bad input.

-- Runs a case on a fresh default cluster (kubeadm's CoreDNS settings).
local function case(name, fn)
  test(name, function()
    reset({})
    fn()
  end)
end

-- Asserts that fn raises exactly `expected` (after Lua's "file:line: " position).
local function raises(fn, expected)
  local ok, err = pcall(fn)
  assert(not ok, "expected the error: " .. expected)
  assertEqual((tostring(err):gsub("^[^:]*:%d+: ", "")), expected)
end

-- A section as "name ttl type data" lines, sorted when asked (for shuffled sections).
local function rrs(section, sorted)
  local out = {}
  for i, r in ipairs(section) do out[i] = r.name .. " " .. r.ttl .. " " .. r.type .. " " .. r.data end
  if sorted then table.sort(out) end
  return out
end

-- The queries of a walk as "TYPE name rcode".
local function walk(answer)
  local out = {}
  for i, q in ipairs(answer.queries) do out[i] = q.type .. " " .. q.name .. " " .. q.rcode end
  return out
end

local function sortedCopy(list)
  local out = {}
  for i, v in ipairs(list) do out[i] = v end
  table.sort(out)
  return out
end

local SOA = "cluster.local. 30 SOA ns.dns.cluster.local. hostmaster.cluster.local. 0 7200 1800 86400 30"
local FQDN = "kubernetes.default.svc.cluster.local."

-- A headless Service db with pods db-0 and db-1 (hostname + subdomain) and one without.
local function headlessDB()
  createService("db", { clusterIP = "None", selector = { app = "db" }, ports = { { name = "pg", port = 5432 } } })
  addPod("db-0", { labels = { app = "db" }, hostname = "db-0", subdomain = "db", node = "node-1", ip = "10.244.0.50" })
  addPod("db-1", { labels = { app = "db" }, hostname = "db-1", subdomain = "db", node = "node-2", ip = "10.244.1.50" })
  addPod("anon", { labels = { app = "db" }, node = "node-3", ip = "10.244.2.50" })
end

-- Services: A, AAAA, SRV

case("a ClusterIP Service's A record, authoritative, TTL 30 as kubeadm sets", function()
  local a = resolve("kubernetes.default.svc.cluster.local.", "A")
  assertEqual(a.rcode, "NOERROR")
  assertEqual(a.flags, { aa = true, tc = false, rd = true, ra = false })
  assertEqual(rrs(a.answer), { FQDN .. " 30 A 10.96.0.1" })
  assertEqual({ a.authority, a.additional }, { {}, {} })
  assertEqual(a.addresses, { "10.96.0.1" })
  assertEqual(a.queries, { { name = FQDN, type = "A", rcode = "NOERROR" } })
end)

case("without from, resolve is a ClusterFirst pod's lookup in the current namespace", function()
  createService("web", { selector = { app = "web" }, ports = { { port = 80 } } })
  local ip = getService("web").clusterIP
  local short = resolve("web")
  assertEqual(short.rcode, "NOERROR")
  assertEqual(short.addresses, { ip })
  assertEqual(short.answer[1].name, "web.default.svc.cluster.local.")
  -- getaddrinfo: A and AAAA at the first search domain, which answers
  assertEqual(walk(short), { "A web.default.svc.cluster.local. NOERROR", "AAAA web.default.svc.cluster.local. NOERROR" })
  -- a trailing dot makes the name absolute: one step, the root's child "web." does not exist
  local absolute = resolve("web.")
  assertEqual(absolute.rcode, "NXDOMAIN")
  assertEqual(absolute.addresses, {})
  assertEqual(walk(absolute), { "A web. NXDOMAIN", "AAAA web. NXDOMAIN" })
  -- fewer dots than ndots:5: the search list first, then the name as given
  assertEqual(walk(resolve("kubernetes.default.svc.cluster.local", "A")), {
    "A kubernetes.default.svc.cluster.local.default.svc.cluster.local. NXDOMAIN",
    "A kubernetes.default.svc.cluster.local.svc.cluster.local. NXDOMAIN",
    "A kubernetes.default.svc.cluster.local.cluster.local. NXDOMAIN",
    "A kubernetes.default.svc.cluster.local. NOERROR",
  })
  assertEqual(resolve("kubernetes.default", "A").addresses, { "10.96.0.1" })
  -- the search path is the current namespace's
  createNamespace("other")
  useNamespace("other")
  assertEqual(resolve("web").rcode, "NXDOMAIN")
  assertEqual(resolve("web.default").addresses, { ip })
  assertEqual(resolve("web", "A").queries[1].name, "web.other.svc.cluster.local.")
  useNamespace("default")
  -- with a type, only that type; the walk's last rcode after a walk that found nothing
  local none = resolve("nope", "A")
  assertEqual(none.rcode, "NXDOMAIN")
  assertEqual(#none.queries, 4)
end)

case("dig sends the name as given, absolute, unless search is asked for", function()
  createService("web", { selector = { app = "web" }, ports = { { port = 80 } } })
  local ip = getService("web").clusterIP
  local plain = dig("web")
  assert(plain:find("status: NXDOMAIN", 1, true), plain)
  assert(plain:find(";web.%s+IN%s+A"), plain)
  local searched = dig("web", { search = true })
  assert(searched:find("status: NOERROR", 1, true), searched)
  assert(searched:find("web.default.svc.cluster.local.%s+30%s+IN%s+A%s+" .. ip:gsub("%.", "%%.")), searched)
  assert(searched:find("+search", 1, true), searched)
  raises(function() resolve("web", { search = true }) end, 'resolve: strict decoding error: unknown field "opts.search"')
end)

case("AAAA on an IPv4-only Service is NODATA with the SOA", function()
  local a = resolve("kubernetes.default.svc.cluster.local.", "AAAA")
  assertEqual(a.rcode, "NOERROR")
  assertEqual(a.answer, {})
  assertEqual(rrs(a.authority), { SOA })
  assertEqual(a.flags.aa, true)
end)

case("SOA TTL is min(ttl, 300) and its minimum is ttl", function()
  -- without the cache plugin, which would cap every TTL at 30
  corefile([[
.:53 {
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        pods insecure
        ttl 3600
    }
    forward . /etc/resolv.conf
}
]])
  assertEqual(rrs(resolve("nope.default.svc.cluster.local.", "A").authority),
    { "cluster.local. 300 SOA ns.dns.cluster.local. hostmaster.cluster.local. 0 7200 1800 86400 3600" })
  assertEqual(resolve("kubernetes.default.svc.cluster.local.", "A").answer[1].ttl, 3600)
end)

case("dnsConfig{ttl=} sets every TTL", function()
  assertEqual(dnsConfig({ ttl = 10 }).ttl, 10)
  assertEqual(resolve("kubernetes.default.svc.cluster.local.", "A").answer[1].ttl, 10)
  assertEqual(rrs(resolve("kubernetes.default.svc.cluster.local.", "AAAA").authority),
    { "cluster.local. 10 SOA ns.dns.cluster.local. hostmaster.cluster.local. 0 7200 1800 86400 10" })
end)

case("SRV for a named port: priority 0, weight 100, the ClusterIP in additional", function()
  local a = resolve("_https._tcp.kubernetes.default.svc.cluster.local.", "SRV")
  assertEqual(rrs(a.answer), { "_https._tcp." .. FQDN .. " 30 SRV 0 100 443 " .. FQDN })
  assertEqual(rrs(a.additional), { FQDN .. " 30 A 10.96.0.1" })
end)

case("SRV weights split over ports and addresses; bare name gives every port", function()
  local a = resolve("kube-dns.kube-system.svc.cluster.local.", "SRV")
  local target = "kube-dns.kube-system.svc.cluster.local."
  assertEqual(rrs(a.answer, true), {
    target .. " 30 SRV 0 33 53 " .. target,
    target .. " 30 SRV 0 33 9153 " .. target,
  })
  local udp = resolve("_dns._udp.kube-dns.kube-system.svc.cluster.local.", "SRV")
  assertEqual(rrs(udp.answer), { "_dns._udp." .. target .. " 30 SRV 0 100 53 " .. target })
end)

case("SRV for an unknown port is NXDOMAIN; unnamed ports have no SRV", function()
  assertEqual(resolve("_http._tcp.kubernetes.default.svc.cluster.local.", "SRV").rcode, "NXDOMAIN")
  createService("plain", { ports = { { port = 80 } } })
  assertEqual(resolve("_http._tcp.plain.default.svc.cluster.local.", "SRV").rcode, "NXDOMAIN")
end)

case("dual-stack ClusterIP: A and AAAA, SRV weight 50", function()
  reset({ serviceCIDR = { "10.96.0.0/16", "fd00:10:96::/112" } })
  local s = createService("ds", { ipFamilyPolicy = "RequireDualStack", ports = { { name = "http", port = 80 } } })
  assertEqual(resolve("ds.default.svc.cluster.local.", "A").addresses, { s.clusterIPs[1] })
  assertEqual(resolve("ds.default.svc.cluster.local.", "AAAA").addresses, { s.clusterIPs[2] })
  local srv = resolve("_http._tcp.ds.default.svc.cluster.local.", "SRV")
  assertEqual(#srv.answer, 1) -- one target, de-duplicated
  assertEqual(srv.answer[1].data, "0 50 80 ds.default.svc.cluster.local.")
  assertEqual(#srv.additional, 2)
end)

-- Headless Services

case("headless: one A per ready endpoint", function()
  headlessDB()
  local a = resolve("db.default.svc.cluster.local.", "A")
  assertEqual(sortedCopy(a.addresses), { "10.244.0.50", "10.244.1.50", "10.244.2.50" })
  setPodReady("db-1", false)
  assertEqual(sortedCopy(resolve("db.default.svc.cluster.local.", "A").addresses), { "10.244.0.50", "10.244.2.50" })
end)

case("headless: a name per endpoint, its hostname or its dashed IP", function()
  headlessDB()
  assertEqual(rrs(resolve("db-0.db.default.svc.cluster.local.", "A").answer),
    { "db-0.db.default.svc.cluster.local. 30 A 10.244.0.50" })
  assertEqual(resolve("10-244-2-50.db.default.svc.cluster.local.", "A").addresses, { "10.244.2.50" })
  assertEqual(resolve("anon.db.default.svc.cluster.local.", "A").rcode, "NXDOMAIN")
  assertEqual(resolve("nope.db.default.svc.cluster.local.", "A").rcode, "NXDOMAIN")
end)

case("headless SRV: one per endpoint, hostname targets, weight 100/3", function()
  headlessDB()
  local a = resolve("_pg._tcp.db.default.svc.cluster.local.", "SRV")
  local owner = "_pg._tcp.db.default.svc.cluster.local. 30 SRV 0 33 5432 "
  assertEqual(rrs(a.answer, true), {
    owner .. "10-244-2-50.db.default.svc.cluster.local.",
    owner .. "db-0.db.default.svc.cluster.local.",
    owner .. "db-1.db.default.svc.cluster.local.",
  })
  assertEqual(rrs(a.additional, true), {
    "10-244-2-50.db.default.svc.cluster.local. 30 A 10.244.2.50",
    "db-0.db.default.svc.cluster.local. 30 A 10.244.0.50",
    "db-1.db.default.svc.cluster.local. 30 A 10.244.1.50",
  })
end)

case("headless with no ready endpoints is NXDOMAIN", function()
  createService("db", { clusterIP = "None", selector = { app = "db" }, ports = { { port = 5432 } } })
  assertEqual(resolve("db.default.svc.cluster.local.", "A").rcode, "NXDOMAIN")
  addPod("p", { labels = { app = "db" }, ready = false })
  assertEqual(resolve("db.default.svc.cluster.local.", "A").rcode, "NXDOMAIN")
end)

case("publishNotReadyAddresses publishes unready pods in DNS", function()
  createService("db", { clusterIP = "None", publishNotReadyAddresses = true, selector = { app = "db" }, ports = { { port = 5432 } } })
  local p = addPod("p", { labels = { app = "db" }, ready = false })
  assertEqual(resolve("db.default.svc.cluster.local.", "A").addresses, { p.ip })
end)

-- ExternalName

case("ExternalName: CNAME then the external record's A", function()
  addExternalRecord("www.example.com", "A", "93.184.216.34")
  createService("ext", { type = "ExternalName", externalName = "www.example.com" })
  local a = resolve("ext.default.svc.cluster.local.", "A")
  assertEqual(a.rcode, "NOERROR")
  assertEqual(rrs(a.answer), {
    "ext.default.svc.cluster.local. 30 CNAME www.example.com.",
    "www.example.com. 30 A 93.184.216.34",
  })
  assertEqual(a.addresses, { "93.184.216.34" })
  assertEqual(rrs(resolve("ext.default.svc.cluster.local.", "CNAME").answer),
    { "ext.default.svc.cluster.local. 30 CNAME www.example.com." })
end)

case("ExternalName to an in-cluster name is chased inside CoreDNS", function()
  createService("alias", { type = "ExternalName", externalName = FQDN })
  assertEqual(rrs(resolve("alias.default.svc.cluster.local.", "A").answer), {
    "alias.default.svc.cluster.local. 30 CNAME " .. FQDN,
    FQDN .. " 30 A 10.96.0.1",
  })
end)

case("ExternalName: SRV is NODATA, sub-names are NXDOMAIN", function()
  createService("ext", { type = "ExternalName", externalName = "www.example.com" })
  local srv = resolve("ext.default.svc.cluster.local.", "SRV")
  assertEqual({ srv.rcode, srv.answer }, { "NOERROR", {} })
  assertEqual(resolve("_http._tcp.ext.default.svc.cluster.local.", "SRV").rcode, "NXDOMAIN")
  assertEqual(resolve("x.ext.default.svc.cluster.local.", "A").rcode, "NXDOMAIN")
end)

-- Reverse lookups

case("PTR of a ClusterIP and of a headless endpoint", function()
  headlessDB()
  assertEqual(rrs(resolve("1.0.96.10.in-addr.arpa.", "PTR").answer), { "1.0.96.10.in-addr.arpa. 30 PTR " .. FQDN })
  assertEqual(resolve("50.0.244.10.in-addr.arpa.", "PTR").answer[1].data, "db-0.db.default.svc.cluster.local.")
  assertEqual(resolve("50.2.244.10.in-addr.arpa.", "PTR").answer[1].data, "10-244-2-50.db.default.svc.cluster.local.")
end)

case("PTR of an IP no Service knows falls through to the outside world", function()
  addPod("lonely", { ip = "10.244.0.77", node = "node-1" })
  assertEqual(resolve("77.0.244.10.in-addr.arpa.", "PTR").rcode, "NXDOMAIN")
  addExternalRecord("34.216.184.93.in-addr.arpa", "PTR", "www.example.com.")
  assertEqual(resolve("34.216.184.93.in-addr.arpa.", "PTR").answer[1].data, "www.example.com.")
end)

-- Pod records

case("pod records: insecure (kubeadm), disabled, verified", function()
  local p = addPod("p", { ip = "10.244.0.40", node = "node-1" })
  assertEqual(resolve("10-244-0-40.default.pod.cluster.local.", "A").addresses, { "10.244.0.40" })
  assertEqual(resolve("10-244-0-99.default.pod.cluster.local.", "A").addresses, { "10.244.0.99" })
  assertEqual(resolve("10-244-0-40.nope.pod.cluster.local.", "A").rcode, "NXDOMAIN")
  dnsConfig({ pods = "disabled" })
  assertEqual(resolve("10-244-0-40.default.pod.cluster.local.", "A").rcode, "NXDOMAIN")
  dnsConfig({ pods = "verified" })
  assertEqual(resolve("10-244-0-40.default.pod.cluster.local.", "A").addresses, { p.ip })
  assertEqual(resolve("10-244-0-99.default.pod.cluster.local.", "A").rcode, "NXDOMAIN")
  assertEqual(resolve("10-244-0-40.kube-system.pod.cluster.local.", "A").rcode, "NXDOMAIN")
end)

-- NXDOMAIN and NODATA

case("NXDOMAIN for unknown Services, namespaces and shapes", function()
  for _, name in ipairs({
    "nope.default.svc.cluster.local", "kubernetes.nope.svc.cluster.local", "nope.svc.cluster.local",
    "foo.cluster.local", "a.b.kubernetes.default.svc.cluster.local",
  }) do
    local a = resolve(name)
    assertEqual(a.rcode, "NXDOMAIN", name)
    assertEqual(rrs(a.authority), { SOA }, name)
    assertEqual(a.flags.aa, true, name)
  end
end)

case("NODATA at the apex, svc, pod and an existing namespace", function()
  for _, name in ipairs({ "cluster.local", "svc.cluster.local", "pod.cluster.local", "default.svc.cluster.local" }) do
    local a = resolve(name)
    assertEqual({ a.rcode, a.answer }, { "NOERROR", {} }, name)
    assertEqual(rrs(a.authority), { SOA }, name)
  end
  assertEqual(rrs(resolve("cluster.local.", "SOA").answer), { SOA })
  assertEqual(rrs(resolve("dns-version.cluster.local.", "TXT").answer), { 'dns-version.cluster.local. 30 TXT "1.1.0"' })
end)

case("the answer echoes the query's case", function()
  local a = resolve("KuberNetes.Default.SVC.Cluster.Local.", "A")
  assertEqual(rrs(a.answer), { "KuberNetes.Default.SVC.Cluster.Local. 30 A 10.96.0.1" })
  local n = resolve("Nope.Default.SVC.Cluster.Local.", "A")
  assertEqual(n.authority[1].name, "Cluster.Local.")
  assertEqual(n.authority[1].data, "ns.dns.Cluster.Local. hostmaster.Cluster.Local. 0 7200 1800 86400 30")
end)

case("the NS record names kube-dns and its ClusterIP", function()
  local a = resolve("cluster.local.", "NS")
  assertEqual(rrs(a.answer), { "cluster.local. 30 NS kube-dns.kube-system.svc.cluster.local." })
  assertEqual(rrs(a.additional), { "kube-dns.kube-system.svc.cluster.local. 30 A 10.96.0.10" })
end)

-- Options

case("namespaces option: other namespaces are NXDOMAIN", function()
  createService("web", { ports = { { port = 80 } } })
  assertEqual(dnsConfig({ namespaces = { "kube-system" } }).namespaces, { "kube-system" })
  assertEqual(resolve("web.default.svc.cluster.local.", "A").rcode, "NXDOMAIN")
  assertEqual(resolve("default.svc.cluster.local.", "A").rcode, "NXDOMAIN")
  assertEqual(resolve("kube-dns.kube-system.svc.cluster.local.", "A").rcode, "NOERROR")
  dnsConfig({ namespaces = {} })
  assertEqual(resolve("web.default.svc.cluster.local.", "A").rcode, "NOERROR")
end)

case("ignoreEmptyService: a ClusterIP with no ready endpoints is NXDOMAIN", function()
  createService("web", { selector = { app = "web" }, ports = { { port = 80 } } })
  createService("ext", { type = "ExternalName", externalName = FQDN })
  dnsConfig({ ignoreEmptyService = true })
  assertEqual(resolve("web.default.svc.cluster.local.", "A").rcode, "NXDOMAIN")
  assertEqual(resolve("ext.default.svc.cluster.local.", "A").rcode, "NOERROR")
  addPod("p", { labels = { app = "web" }, ready = false })
  assertEqual(resolve("web.default.svc.cluster.local.", "A").rcode, "NXDOMAIN")
  setPodReady("p", true)
  assertEqual(resolve("web.default.svc.cluster.local.", "A").rcode, "NOERROR")
end)

case("dnsConfig changes only the given fields and rejects bad values", function()
  local before = dnsConfig()
  local after = dnsConfig({ endpointPodNames = true })
  before.endpointPodNames = true
  assertEqual(after, before)
  raises(function() dnsConfig({ ttl = 4000 }) end, "dnsConfig: opts.ttl: ttl must be in range [0, 3600]: 4000")
  raises(function() dnsConfig({ colour = 1 }) end, 'dnsConfig: strict decoding error: unknown field "opts.colour"')
  assertEqual(dnsConfig(), after)
end)

case("endpointPodNames names endpoints without a hostname by pod name", function()
  headlessDB()
  dnsConfig({ endpointPodNames = true })
  assertEqual(resolve("anon.db.default.svc.cluster.local.", "A").addresses, { "10.244.2.50" })
  assertEqual(resolve("50.2.244.10.in-addr.arpa.", "PTR").answer[1].data, "anon.db.default.svc.cluster.local.")
end)

case("loadbalance shuffles A records the same way for the same seed", function()
  for i = 1, 6 do addPod("p" .. i, { labels = { app = "db" } }) end
  createService("db", { clusterIP = "None", selector = { app = "db" }, ports = { { port = 5432 } } })
  local function orders()
    local out = {}
    for i = 1, 5 do out[i] = table.concat(resolve("db.default.svc.cluster.local.", "A").addresses, ",") end
    return out
  end
  seed(11)
  local first = orders()
  seed(11)
  assertEqual(orders(), first)
  local distinct = {}
  for _, o in ipairs(first) do distinct[o] = true end
  assert(next(distinct, next(distinct)) ~= nil, "five lookups gave one order: no shuffle")
  dnsConfig({ loadbalance = false })
  local fixed = orders()
  for i = 2, 5 do assertEqual(fixed[i], fixed[1]) end
end)

-- Search walks

-- Query counts from a ClusterFirst pod in default for the names of kubernetes-dns.md §15.
local walks = {
  { "kubernetes", 2, 2 },
  { "kubernetes.default", 4, 4 },
  { "kubernetes.default.svc", 6, 6 },
  { "kubernetes.default.svc.cluster.local", 8, 8 },
  { "kubernetes.default.svc.cluster.local.", 2, 2 },
  { "example.com", 8, 8 },
  -- five dots reach ndots: glibc tries it as-is first, musl only as-is
  { "a.b.c.d.example.com", 2, 2 },
}

for _, w in ipairs(walks) do
  local name, glibc, musl = w[1], w[2], w[3]
  case("query count for " .. name .. ": glibc " .. glibc .. ", musl " .. musl, function()
    addExternalRecord("example.com", "A", "93.184.216.34")
    addExternalRecord("a.b.c.d.example.com", "A", "93.184.216.35")
    addPod("client")
    local g = resolve(name, { from = "client" })
    local m = resolve(name, { from = "client", resolver = "musl" })
    assertEqual(#g.queries, glibc, "glibc")
    assertEqual(#m.queries, musl, "musl")
    assertEqual(g.rcode, "NOERROR")
    assertEqual(m.addresses, g.addresses)
  end)
end

case("the glibc walk: search domains in order, A and AAAA at each step", function()
  addPod("client")
  assertEqual(walk(resolve("kubernetes.default", { from = "client" })), {
    "A kubernetes.default.default.svc.cluster.local. NXDOMAIN",
    "AAAA kubernetes.default.default.svc.cluster.local. NXDOMAIN",
    "A " .. FQDN .. " NOERROR",
    "AAAA " .. FQDN .. " NOERROR",
  })
end)

case("an external name walks the whole search list first", function()
  addExternalRecord("example.com", "A", "93.184.216.34")
  addPod("client")
  local a = resolve("example.com", { from = "client" })
  assertEqual(walk(a), {
    "A example.com.default.svc.cluster.local. NXDOMAIN", "AAAA example.com.default.svc.cluster.local. NXDOMAIN",
    "A example.com.svc.cluster.local. NXDOMAIN", "AAAA example.com.svc.cluster.local. NXDOMAIN",
    "A example.com.cluster.local. NXDOMAIN", "AAAA example.com.cluster.local. NXDOMAIN",
    "A example.com. NOERROR", "AAAA example.com. NOERROR",
  })
  assertEqual(a.addresses, { "93.184.216.34" })
end)

case("node search domains lengthen the walk: 8 + 2h", function()
  addNode("node-4", { dnsSearch = { "corp.example", "example.net" } })
  addExternalRecord("example.com", "A", "93.184.216.34")
  addPod("client", { node = "node-4" })
  assertEqual(#resolve("example.com", { from = "client" }).queries, 12)
  assertEqual(#resolve("example.com", { from = "client", resolver = "musl" }).queries, 12)
end)

case("a ≥ndots name that is not found: glibc then searches, musl does not", function()
  addPod("client")
  local g = resolve("a.b.c.d.nowhere.test", { from = "client" })
  local m = resolve("a.b.c.d.nowhere.test", { from = "client", resolver = "musl" })
  assertEqual({ #g.queries, g.rcode, g.answer }, { 8, "NXDOMAIN", {} })
  assertEqual(g.queries[1].name, "a.b.c.d.nowhere.test.")
  assertEqual({ #m.queries, m.rcode }, { 2, "NXDOMAIN" })
end)

case("NODATA on the way: glibc keeps searching, musl stops", function()
  addPod("client")
  -- default.svc.cluster.local exists (a namespace) but has no records
  local g = resolve("default", { from = "client" })
  local m = resolve("default", { from = "client", resolver = "musl" })
  assertEqual({ #g.queries, g.rcode }, { 8, "NXDOMAIN" })
  assertEqual({ #m.queries, m.rcode, m.answer }, { 4, "NOERROR", {} })
  assertEqual(m.queries[3].name, "default.svc.cluster.local.")
end)

case("with a type, glibc walks with that type only", function()
  addPod("client")
  local a = resolve("kubernetes", { from = "client", type = "A" })
  assertEqual(walk(a), { "A " .. FQDN .. " NOERROR" })
  local srv = resolve("_https._tcp.kubernetes.default", { from = "client", type = "SRV" })
  assertEqual(srv.answer[1].data, "0 100 443 " .. FQDN)
end)

case("a pod's ndots from dnsConfig changes the walk", function()
  addExternalRecord("example.com", "A", "93.184.216.34")
  addPod("client", { dnsConfig = { options = { { name = "ndots", value = "1" } } } })
  assertEqual(walk(resolve("example.com", { from = "client" })),
    { "A example.com. NOERROR", "AAAA example.com. NOERROR" })
end)

case("a Default-policy pod asks the node's resolver, which knows no cluster names", function()
  addExternalRecord("example.com", "A", "93.184.216.34")
  addPod("host", { dnsPolicy = "Default" })
  assertEqual(resolve("kubernetes.default.svc.cluster.local.", { from = "host" }).rcode, "NXDOMAIN")
  local a = resolve("example.com.", { from = "host" })
  assertEqual(rrs(a.answer), { "example.com. 300 A 93.184.216.34" })
end)

-- resolv.conf and /etc/hosts

case("resolv.conf for ClusterFirst", function()
  addPod("p")
  assertEqual(resolvConf("p"),
    "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n")
end)

case("resolv.conf for ClusterFirst adds the node's search domains", function()
  addNode("node-4", { dnsSearch = { "corp.example" } })
  createNamespace("shop")
  addPod("shop/p", { node = "node-4" })
  assertEqual(resolvConf("shop/p"),
    "search shop.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.96.0.10\noptions ndots:5\n")
end)

case("resolv.conf for hostNetwork: ClusterFirst acts as Default, ClusterFirstWithHostNet does not", function()
  addNode("node-4", { dnsSearch = { "corp.example" } })
  addPod("h", { node = "node-4", hostNetwork = true })
  addPod("hw", { node = "node-4", hostNetwork = true, dnsPolicy = "ClusterFirstWithHostNet" })
  addPod("d", { node = "node-4", dnsPolicy = "Default" })
  assertEqual(resolvConf("h"), resolvConf("d"))
  assert(not resolvConf("h"):find("10.96.0.10", 1, true), resolvConf("h"))
  assert(resolvConf("h"):find("search corp.example\n", 1, true), resolvConf("h"))
  assertEqual(resolvConf("hw"),
    "search default.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.96.0.10\noptions ndots:5\n")
end)

case("resolv.conf for None comes from dnsConfig alone", function()
  addPod("n", { dnsPolicy = "None", dnsConfig = {
    nameservers = { "1.1.1.1", "8.8.8.8" }, searches = { "a.example" },
    options = { { name = "ndots", value = "2" } } } })
  assertEqual(resolvConf("n"), "search a.example\nnameserver 1.1.1.1\nnameserver 8.8.8.8\noptions ndots:2\n")
end)

case("dnsConfig merges: searches de-duplicated, nameservers cut to 3, options by name", function()
  addPod("m", { node = "node-1", dnsConfig = {
    nameservers = { "1.1.1.1", "8.8.8.8", "9.9.9.9" },
    searches = { "svc.cluster.local", "x.example" },
    options = { { name = "ndots", value = "1" }, { name = "timeout", value = "2" } } } })
  local lines = {}
  for line in resolvConf("m"):gmatch("[^\n]+") do lines[#lines + 1] = line end
  assertEqual({ lines[1], lines[2], lines[3], lines[4] }, {
    "search default.svc.cluster.local svc.cluster.local cluster.local x.example",
    "nameserver 10.96.0.10", "nameserver 1.1.1.1", "nameserver 8.8.8.8",
  })
  -- the kubelet writes merged options in map order: compare them as a set
  local opts = {}
  for o in lines[5]:gmatch("%S+") do opts[#opts + 1] = o end
  assertEqual(sortedCopy(opts), { "ndots:1", "options", "timeout:2" })
  assertEqual(#lines, 5)
end)

case("hostsFile: hostname and subdomain give the pod's FQDN", function()
  local p = addPod("web-0", { hostname = "web-0", subdomain = "web" })
  local q = addPod("plain")
  local header = "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n"
    .. "::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\n"
    .. "fe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n"
  assertEqual(hostsFile("web-0"), header .. p.ip .. "\tweb-0.web.default.svc.cluster.local\tweb-0\n")
  assertEqual(hostsFile("plain"), header .. q.ip .. "\tplain\n")
end)

case("hostsFile of a hostNetwork pod is the node's", function()
  addPod("h", { node = "node-2", hostNetwork = true })
  assert(hostsFile("h"):match("^# Kubernetes%-managed hosts file %(host network%)%.\n"), hostsFile("h"))
  assert(hostsFile("h"):find("172.18.0.3\tnode-2\n", 1, true), hostsFile("h"))
end)

case("a pod's own FQDN resolves through its headless Service", function()
  headlessDB()
  addPod("client")
  assertEqual(resolve("db-0.db", { from = "client" }).addresses, { "10.244.0.50" })
end)

-- addExternalRecord

case("addExternalRecord: any type, ttl 300 by default, forwarded through the cache", function()
  addExternalRecord("example.com", "MX", "10 mail.example.com.")
  addExternalRecord("example.com", "TXT", '"v=spf1 -all"', 60)
  assertEqual(rrs(resolve("example.com.", "MX").answer), { "example.com. 30 MX 10 mail.example.com." })
  assertEqual(rrs(resolve("example.com.", "TXT").answer), { 'example.com. 30 TXT "v=spf1 -all"' })
  assertError(function() addExternalRecord("x.example", "A", "fd00::1") end, "addExternalRecord: bad argument #3")
  assertError(function() addExternalRecord("x.example", "BOGUS", "x") end, "addExternalRecord: .*BOGUS")
end)

-- dig

case("dig prints the header, flags and sections as dig does", function()
  local out = dig("kubernetes.default.svc.cluster.local")
  assert(out:find("; <<>> DiG [%d.]+ <<>> kubernetes%.default%.svc%.cluster%.local\n"), out)
  assert(out:find(";; %->>HEADER<<%- opcode: QUERY, status: NOERROR, id: %d+\n"), out)
  assert(out:find(";; flags: qr aa rd; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1\n", 1, true), out)
  assert(out:find(";; WARNING: recursion requested but not available\n", 1, true), out)
  -- a name past dig's first column is followed by one space, not a tab
  assert(out:find(";; QUESTION SECTION:\n;kubernetes.default.svc.cluster.local. IN A\n", 1, true), out)
  assert(out:find(";; OPT PSEUDOSECTION:\n; EDNS: version: 0, flags:; udp: 1232\n", 1, true), out)
  assert(out:find(";; ANSWER SECTION:\nkubernetes.default.svc.cluster.local. 30 IN A\t10.96.0.1\n", 1, true), out)
  assert(out:find(";; SERVER: 10.96.0.10#53(10.96.0.10) (UDP)\n", 1, true), out)
end)

case("dig of a missing name shows NXDOMAIN and the SOA in authority", function()
  local out = dig("nope.default.svc.cluster.local", "A")
  assert(out:find("status: NXDOMAIN", 1, true), out)
  assert(out:find(";; flags: qr aa rd; QUERY: 1, ANSWER: 0, AUTHORITY: 1, ADDITIONAL: 1\n", 1, true), out)
  assert(out:find(";; AUTHORITY SECTION:\ncluster.local.\t\t30\tIN\tSOA\tns.dns.cluster.local. hostmaster.cluster.local. 0 7200 1800 86400 30\n", 1, true), out)
  assert(not out:find("ANSWER SECTION", 1, true), out)
end)

case("dig SRV shows the additional section", function()
  local out = dig("_https._tcp.kubernetes.default.svc.cluster.local", { type = "SRV" })
  assert(out:find("<<>> _https._tcp.kubernetes.default.svc.cluster.local SRV\n", 1, true), out)
  assert(out:find(";; ADDITIONAL SECTION:\nkubernetes.default.svc.cluster.local. 30 IN A\t10.96.0.1\n", 1, true), out)
end)

-- Bad input

case("a label over 63 octets or a name over 253 cannot be packed: FORMERR, no crash", function()
  for _, name in ipairs({ ("a"):rep(64) .. ".default.svc.cluster.local", ("abcdefghi."):rep(26) .. "com" }) do
    local a = resolve(name)
    assertEqual({ a.rcode, a.answer, a.flags.aa }, { "FORMERR", {}, false })
  end
  local ok63 = resolve(("a"):rep(63) .. ".default.svc.cluster.local")
  assertEqual(ok63.rcode, "NXDOMAIN")
end)

case("unknown query types and non-string names raise", function()
  raises(function() resolve("x.", "BOGUS") end, "resolve: unknown query type 'BOGUS'")
  raises(function() resolve("x", { type = "BOGUS" }) end, "resolve: unknown query type 'BOGUS'")
  raises(function() resolve({}) end, "resolve: bad argument #1 (string expected, got table)")
  raises(function() resolve(nil) end, "resolve: bad argument #1 (string expected, got nil)")
  raises(function() dig(true) end, "dig: bad argument #1 (string expected, got boolean)")
  raises(function() resolve("x", 5) end, "resolve: bad argument #2 (string or table expected, got number)")
  raises(function() resolve("x", { bogus = 1 }) end, 'resolve: strict decoding error: unknown field "opts.bogus"')
  raises(function() resolve("x", { from = "nope" }) end, 'resolve: pods "nope" not found')
  raises(function() resolve("x", { resolver = "bionic" }) end,
    'resolve: opts.resolver: unknown resolver "bionic" (expected "glibc" or "musl")')
  raises(function() resolvConf("nope") end, 'resolvConf: pods "nope" not found')
end)

-- Following the cluster

case("the SOA serial is the time of the last Service or endpoint change", function()
  advance(100)
  createService("x", { ports = { { port = 1 } } })
  advance(50)
  addPod("unrelated") -- pods are not watched unless pods verified
  local soa = resolve("nope.default.svc.cluster.local.", "A").authority[1].data
  assertEqual(soa, "ns.dns.cluster.local. hostmaster.cluster.local. 100 7200 1800 86400 30")
end)

case("DNS follows updates and deletions at once", function()
  createService("ext", { type = "ExternalName", externalName = "a.example" })
  updateService("ext", { externalName = "b.example" })
  assertEqual(resolve("ext.default.svc.cluster.local.", "CNAME").answer[1].data, "b.example.")
  local s = updateService("ext", { type = "ClusterIP", externalName = "", ports = { { port = 80 } } })
  assertEqual(resolve("ext.default.svc.cluster.local.", "A").addresses, { s.clusterIP })
  deleteService("ext")
  assertEqual(resolve("ext.default.svc.cluster.local.", "A").rcode, "NXDOMAIN")
end)

case("a terminating pod leaves the headless answer", function()
  createService("db", { clusterIP = "None", selector = { app = "db" }, ports = { { port = 1 } } })
  addPod("d1", { labels = { app = "db" } })
  local d2 = addPod("d2", { labels = { app = "db" } })
  deletePod("d1")
  assertEqual(resolve("db.default.svc.cluster.local.", "A").addresses, { d2.ip })
end)

case("a short name from another namespace walks the whole list and fails", function()
  createNamespace("shop")
  addPod("shop/c")
  local a = resolve("kubernetes", { from = "shop/c" })
  assertEqual({ #a.queries, a.rcode, a.addresses }, { 8, "NXDOMAIN", {} })
  assertEqual(a.queries[1].name, "kubernetes.shop.svc.cluster.local.")
  assertEqual(resolve("kubernetes.default", { from = "shop/c" }).addresses, { "10.96.0.1" })
end)

case("a hostNetwork pod with ClusterFirst asks the node's resolver", function()
  addPod("h", { hostNetwork = true })
  assertEqual(resolvConf("h"), "nameserver 172.18.0.1\n")
  assertEqual(resolve("kubernetes", { from = "h" }).rcode, "NXDOMAIN")
end)

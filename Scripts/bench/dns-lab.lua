-- The lab of Scripts/bench-dns.sh: N ClusterIP Services (arg[2], default 10000) in namespace
-- default; writes OUT/zone.conf (unbound local-data for the same names and the zone's SOA)
-- and OUT/queries.txt (dnsperf input: 90 % existing names, 10 % NXDOMAIN).
local out, n = arg[1], tonumber(arg[2] or "10000")
local started = os.clock()
for i = 1, n do
  createService(("svc-%05d"):format(i), { selector = { app = "x" }, ports = { { port = 80 } } })
end
io.stderr:write(("created %d Services in %.1f s\n"):format(n, os.clock() - started))
if n == 0 then return end
local zone = assert(io.open(out .. "/zone.conf", "w"))
zone:write('server:\n  local-zone: "cluster.local." static\n')
local soa = resolve("cluster.local.", "SOA").answer[1]
zone:write(('  local-data: "cluster.local. %d IN SOA %s"\n'):format(soa.ttl, soa.data))
local names = {}
for i = 1, n do
  local name = ("svc-%05d.default.svc.cluster.local."):format(i)
  local r = resolve(name)
  zone:write(('  local-data: "%s %d IN A %s"\n'):format(name, r.answer[1].ttl, r.answer[1].data))
  names[i] = name
end
zone:close()
local q = assert(io.open(out .. "/queries.txt", "w"))
local state = 12345
for i = 1, 100000 do
  state = (state * 1103515245 + 12345) % 2147483648
  if i % 10 == 0 then
    q:write(("missing-%d.default.svc.cluster.local. A\n"):format(state % 100000))
  else
    q:write(names[1 + state % n] .. " A\n")
  end
end
q:close()

-- resolve of a Service FQDN on a cluster with many Services, against an empty Lua->C
-- call and plain Lua building a table shaped like resolve's answer.
local B = dofile(arg[0]:match("^(.*/)") .. "timing.lua")
local services = tonumber(arg[1]) or 10000
local n = tonumber(arg[2]) or 200000

reset{}
local t0 = os.clock()
for i = 1, services do
  createService("svc-" .. i, {selector = {app = "app-" .. i}, ports = {{port = 80}}})
end
local setup = os.clock() - t0

local names, ips = {}, {}
for i = 1, 1000 do
  local k = (i * 7919) % services + 1
  names[i] = "svc-" .. k .. ".default.svc.cluster.local"
  ips[i] = resolve(names[i]).addresses[1]
end
local c = _bench.c
local empty = B.time(function(i) c(names[i % 1000 + 1]) end, n)
local plain = B.time(function(i)
  local name = names[i % 1000 + 1]
  return {
    rcode = "NOERROR", flags = {aa = true, tc = false, rd = true, ra = false},
    answer = {{name = name, type = "A", ttl = 30, data = ips[i % 1000 + 1]}},
    authority = {}, additional = {},
    queries = {{name = name, type = "A", rcode = "NOERROR"}},
    addresses = {ips[i % 1000 + 1]},
  }
end, n)
local res = B.time(function(i) return resolve(names[i % 1000 + 1]) end, n)

print(string.format("services %d, created in %.2f s (%.1f us each); %d calls, median of 5",
  services, setup, setup / services * 1e6, n))
B.row("(a) empty Lua->C call", empty)
B.row("(b) plain Lua, table shaped like the answer", plain)
B.row("resolve(fqdn)", res)
print(string.format("resolve / (b) = %.2f (target <= 2), resolve / (a) = %.1f", res / plain, res / empty))

-- resolve of NAMES different absolute Service names (svc-1. ... svc-NAMES.default.svc.
-- cluster.local.) on a cluster with SERVICES Services: with fewer Services than names, the
-- names past SERVICES answer NXDOMAIN. Type A, one query per call.
-- Rows: every name computed (CoreDNS's memo emptied before each timed loop, by dnsConfig{}),
-- every name asked again (the memo holds the answers), and 100 names asked over and over.
local B = dofile(arg[0]:match("^(.*/)") .. "timing.lua")
local services = tonumber(arg[1]) or 10000
local count = tonumber(arg[2]) or 10000

reset{}
for i = 1, services do
  createService("svc-" .. i, {selector = {app = "app-" .. i}, ports = {{port = 80}}})
end
local names = {}
for i = 1, count do names[i] = "svc-" .. i .. ".default.svc.cluster.local." end
local hits = 0
for i = 1, count do
  if resolve(names[i], "A").rcode == "NOERROR" then hits = hits + 1 end
end

local cold = B.time(function(i)
  if i == 1 then dnsConfig({}) end
  return resolve(names[i], "A")
end, count)
local warm = B.time(function(i) return resolve(names[i], "A") end, count)
local few = B.time(function(i) return resolve(names[i % 100 + 1], "A") end, count)
local label = string.format("%d names (%d found), %d Services", count, hits, services)
B.row("resolve, " .. label .. ", computed", cold)
B.row("resolve, " .. label .. ", asked again", warm)
B.row(string.format("resolve, 100 names over and over, %d Services", services), few)
